// The core, re-exported by name. Stores and adapters are subpath exports
// (`tessera/stores/…`, `tessera/node`, …) and are never imported here.
export { decodeJson, encodeJson } from "./codec/json.ts";
export { countCookie, getAllCookies, getCookie, parseCookie } from "./cookie/parse-cookie.ts";
export {
  compileSetCookie,
  deleteCookie,
  parseSetCookie,
  type SetCookie,
  type SetCookieOptions,
  stringifySetCookie,
} from "./cookie/set-cookie.ts";
export { safeEqual } from "./crypto/compare.ts";
export { type DerivedKey, KeyRing, type Purpose } from "./crypto/keys.ts";
export { randomId } from "./crypto/random.ts";
export { type Cipher, createSealer, type Opened, type Sealer } from "./crypto/seal.ts";
export { checkSecret, MIN_SECRET_BYTES, type Secret } from "./crypto/secrets.ts";
export { createSigner, type Signer, type Verified } from "./crypto/sign.ts";
export {
  CodecError,
  ConfigError,
  CookieTooLargeError,
  TesseraError,
  WeakSecretError,
} from "./errors.ts";
export { applySessionHeaders, type HeadersLike, type SessionHeaders } from "./manager/headers.ts";
export {
  createSessions,
  type RequestLike,
  type SessionCookieOptions,
  type Sessions,
  type SessionsOptions,
  storeKey,
} from "./manager/sessions.ts";
export type { Duration } from "./session/duration.ts";
export type { Expiry, ExpiryOptions } from "./session/expiry.ts";
export type { FlashEntry, RecordPatch, SessionInfo, SessionRecord } from "./session/record.ts";
export { type SealedCookieOptions, sealedCookieStore } from "./session/sealed-cookie.ts";
export { type Flashed, type FlashTypes, Session, type SessionData } from "./session/session.ts";
export type { SessionStore, StoreContext, StoreSetup } from "./session/store.ts";

import { decodeJson, encodeJson } from "../codec/json.ts";
import { type Cipher, createSealer, type Sealer } from "../crypto/seal.ts";
import { ConfigError } from "../errors.ts";
import { isFlash, type SessionRecord } from "./record.ts";
import type { SessionStore } from "./store.ts";

// Sealed payload v1 (JSON inside the AEAD token; the token has its own version):
//   {"c":createdAt,"a":lastActiveAt[,"p":1][,"u":userId][,"i":id][,"f":[[category,message]…]],"d":{…data}}
// "p", "u", "i" and "f" are left out when false or empty. A cookie session
// needs no id (the cookie is the session) unless revocation is on, which
// names logged-in sessions to deny their copies after logout. Every byte here is sealed, encoded
// and sent on each request, so the payload stays small.
function encodeRecord(record: SessionRecord): string {
  let text = `{"c":${record.createdAt},"a":${record.lastActiveAt}`;
  if (record.permanent) text += ',"p":1';
  if (record.userId !== undefined) text += `,"u":${JSON.stringify(record.userId)}`;
  if (record.id !== "") text += `,"i":${JSON.stringify(record.id)}`;
  if (record.flash.length > 0) text += `,"f":${encodeJson(record.flash)}`;
  return `${text},"d":${encodeJson(record.data)}}`;
}

function decodeRecord(text: string): SessionRecord | null {
  let value: unknown;
  try {
    value = decodeJson(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const { c, a, p, u, i, f, d } = value as Record<string, unknown>;
  if (
    !Number.isSafeInteger(c) ||
    !Number.isSafeInteger(a) ||
    (p !== undefined && p !== 1) ||
    (u !== undefined && typeof u !== "string") ||
    (i !== undefined && typeof i !== "string") ||
    (f !== undefined && !isFlash(f)) ||
    d === null ||
    typeof d !== "object" ||
    Array.isArray(d)
  ) {
    return null;
  }
  const record: SessionRecord = {
    id: i ?? "",
    createdAt: c as number,
    lastActiveAt: a as number,
    permanent: p === 1,
    flash: f ?? [],
    data: d as Record<string, unknown>,
  };
  if (u !== undefined) record.userId = u;
  return record;
}

/** Options of {@link sealedCookieStore}. */
export interface SealedCookieOptions {
  /**
   * The AEAD that seals: `"xchacha20-poly1305"` (the default; tessera's own
   * implementation, 192-bit random nonces) or `"aes-256-gcm"` (node:crypto,
   * for deployments that must use a validated module). Cookies sealed with
   * either open under both settings, and are sealed again with this one.
   */
  cipher?: Cipher;
}

/**
 * The default store: the whole session travels in the cookie, sealed
 * (XChaCha20-Poly1305 by default, see {@link SealedCookieOptions}) under the
 * `session` key and bound to the cookie name. Nothing is kept on the server.
 * The cookie is limited to 4096 bytes, so keep the data small (an id and a
 * few flags); use a server store for more.
 *
 * @example
 * import { createSessions } from "tessera";
 * import { sealedCookieStore } from "tessera/stores/cookie";
 * const sessions = createSessions({ secrets: [process.env.TESSERA_SECRET!], store: sealedCookieStore() });
 *
 * @example
 * // Everything on node:crypto (OpenSSL):
 * const store = sealedCookieStore({ cipher: "aes-256-gcm" });
 */
export function sealedCookieStore(options: SealedCookieOptions = {}): SessionStore {
  const cipher = options.cipher ?? "xchacha20-poly1305";
  if (cipher !== "xchacha20-poly1305" && cipher !== "aes-256-gcm") {
    throw new ConfigError(
      `sealedCookieStore({ cipher }) must be "xchacha20-poly1305" or "aes-256-gcm", got ${JSON.stringify(cipher)}`,
    );
  }
  let sealer: Sealer | undefined;
  const ready = (): Sealer => {
    if (sealer === undefined)
      throw new ConfigError("sealedCookieStore() is used before createSessions() set it up");
    return sealer;
  };
  return {
    kind: "cookie",
    setup({ keys }) {
      sealer = createSealer(keys, "session", cipher);
    },
    get(value, { cookieName }) {
      const opened = ready().openText(value, cookieName);
      if (opened === null) return null;
      const record = decodeRecord(opened.text);
      if (record !== null && opened.stale) record.resave = true;
      return record;
    },
    set(_key, record, { cookieName }) {
      return ready().seal(encodeRecord(record), cookieName);
    },
    destroy() {
      // The cookie is the record: the manager's deleting Set-Cookie ends it.
    },
  };
}

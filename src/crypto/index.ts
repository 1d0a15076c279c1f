export { safeEqual } from "./compare.ts";
export { type DerivedKey, KeyRing, type Purpose } from "./keys.ts";
export { fillRandom, randomId } from "./random.ts";
export { type Cipher, createSealer, decodeBase64url, type Opened, type Sealer } from "./seal.ts";
export { checkSecret, MIN_SECRET_BYTES, type Secret } from "./secrets.ts";
export { createSigner, type Signer, type Verified } from "./sign.ts";

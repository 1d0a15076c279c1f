import { WeakSecretError } from "../errors.ts";

/** A secret as given by the user: text (UTF-8) or raw bytes. */
export type Secret = string | Uint8Array;

/**
 * Below this many bytes a secret is refused (256 bits, the HKDF-SHA256 key size).
 *
 * @example
 * randomBytes(MIN_SECRET_BYTES).toString("base64url"); // a secret of the least accepted size
 */
export const MIN_SECRET_BYTES = 32;

// Values that appear in tutorials, framework defaults and README examples.
// Compared after lower-casing and dropping everything but letters and digits.
const KNOWN = new Set(
  [
    "keyboard cat",
    "secret",
    "changeme",
    "change me",
    "dev",
    "development",
    "password",
    "mysecret",
    "my secret",
    "supersecret",
    "super secret key",
    "your secret key",
    "your-secret-key-here",
    "mrexamples",
    "dev-secret-key",
    "dev-secret-key-change-in-production",
    "complex_password_at_least_32_characters_long",
    "some_not_random_password_that_is_also_long_enough",
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    "a secret with minimum length of 32 characters",
    "cookie-secret",
    "session-secret",
    "test",
    "testing",
  ].map(normalise),
);
// Fragments that only ever appear in placeholders.
const PLACEHOLDER_WORDS = [
  "changeme",
  "changeinproduction",
  "replaceme",
  "keyboardcat",
  "yoursecret",
];

function normalise(text: string): string {
  let out = "";
  for (const char of text.toLowerCase()) if (/[a-z0-9]/.test(char)) out += char;
  return out;
}

// Shannon entropy of the byte histogram, in bits per byte. A random hex
// secret scores about 3.7, base64 about 5; "aaaa…" scores 0, "abab…" 1.
function bitsPerByte(bytes: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const b of bytes) counts.set(b, (counts.get(b) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / bytes.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// The shortest period of a repeating string, e.g. 3 for "abcabcabc".
function period(bytes: Uint8Array): number {
  outer: for (let p = 1; p <= bytes.length / 2; p++) {
    for (let i = p; i < bytes.length; i++) if (bytes[i] !== bytes[i - p]) continue outer;
    return p;
  }
  return bytes.length;
}

/**
 * Checks one secret and returns its bytes, or throws {@link WeakSecretError}
 * saying why and how to make a good one. Refused: under 32 bytes, a short
 * pattern repeated, fewer than 2.5 bits of entropy per byte, and known demo or
 * placeholder values.
 *
 * @example
 * const bytes = checkSecret(process.env.TESSERA_SECRET!);
 */
export function checkSecret(secret: Secret): Uint8Array {
  if (typeof secret !== "string" && !(secret instanceof Uint8Array)) {
    throw new WeakSecretError("a secret must be a string or a Uint8Array");
  }
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (typeof secret === "string") {
    const plain = normalise(secret);
    if (KNOWN.has(plain) || PLACEHOLDER_WORDS.some((w) => plain.includes(w))) {
      throw new WeakSecretError("it is a well-known example or placeholder value");
    }
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new WeakSecretError(
      `it is ${bytes.length} bytes long; at least ${MIN_SECRET_BYTES} are needed`,
    );
  }
  const p = period(bytes);
  if (p < bytes.length && p < MIN_SECRET_BYTES) {
    throw new WeakSecretError(`it repeats a ${p}-byte pattern`);
  }
  const bits = bitsPerByte(bytes);
  if (bits < 2.5) {
    throw new WeakSecretError(
      `it has too little variety (${bits.toFixed(1)} bits per byte; random text has 3.5 or more)`,
    );
  }
  return bytes;
}

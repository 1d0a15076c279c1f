import { createHash, createSecretKey, hkdfSync, type KeyObject } from "node:crypto";
import { ConfigError } from "../errors.ts";
import { checkSecret, type Secret } from "./secrets.ts";

/**
 * What a derived key is for. Each purpose gets its own HKDF key, so a token
 * made for one purpose never opens or verifies for another.
 */
export type Purpose = "session" | "id" | "csrf" | "flash" | "revocation" | (string & {});

/** One derived key: its bytes and the 4-byte id that tokens carry to find it. */
export interface DerivedKey {
  /** 4-byte key id, shared by every purpose of the same secret. */
  readonly id: Buffer;
  /** The same id as an unsigned 32-bit integer, for a fast lookup. */
  readonly idNumber: number;
  /**
   * 32 bytes of HKDF-SHA256 output as a KeyObject: node:crypto imports a raw
   * Buffer key on every call, which costs more than the cipher itself.
   */
  readonly key: KeyObject;
  /** 0 for the newest secret, 1 for the one before, … */
  readonly age: number;
}

const SALT = Buffer.from("tessera/v1");

function derive(ikm: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, SALT, `tessera/v1/${info}`, 32));
}

/**
 * The list of secrets, newest first, and the per-purpose keys derived from
 * them. Derivation happens once per purpose and is cached; the newest key
 * seals and signs, all of them open and verify.
 *
 * @example
 * const ring = new KeyRing([process.env.TESSERA_SECRET!, process.env.TESSERA_OLD_SECRET!]);
 * const [newest] = ring.keys("session");
 */
export class KeyRing {
  readonly #secrets: Uint8Array[];
  readonly #ids: Buffer[];
  readonly #cache = new Map<string, DerivedKey[]>();

  constructor(secrets: Secret | readonly Secret[]) {
    const list = Array.isArray(secrets) ? secrets : [secrets as Secret];
    if (list.length === 0) {
      throw new ConfigError("secrets must hold at least one secret (newest first)");
    }
    this.#secrets = list.map(checkSecret);
    // The key id is a hash of a derived value, so it says nothing about the secret.
    this.#ids = this.#secrets.map((s) =>
      createHash("sha256").update(derive(s, "key-id")).digest().subarray(0, 4),
    );
  }

  /** Derived keys for a purpose, newest first. */
  keys(purpose: Purpose): readonly DerivedKey[] {
    let keys = this.#cache.get(purpose);
    if (keys === undefined) {
      keys = this.#secrets.map((secret, age) => {
        const id = this.#ids[age]!;
        return {
          id,
          idNumber: id.readUInt32BE(0),
          key: createSecretKey(derive(secret, purpose)),
          age,
        };
      });
      this.#cache.set(purpose, keys);
    }
    return keys;
  }
}

// User accounts in SQLite (node:sqlite), passwords hashed with scrypt.
//
// Stored hash format: "scrypt$<log2 N>$<r>$<p>$<salt base64url>$<key base64url>",
// so the cost can be raised later and old hashes still verify.

import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { DatabaseSync } from "node:sqlite";

/** A user as the app sees it: never the hash. */
export interface User {
  id: number;
  username: string;
}

/** What {@link openAccounts} returns. */
export interface Accounts {
  /** Creates a user, or returns an error message for the form. */
  register(username: string, password: string): Promise<User | { error: string }>;
  /** The user when the password matches, otherwise null (unknown user or wrong password alike). */
  authenticate(username: string, password: string): Promise<User | null>;
  /** The open database, shared with the session revocation records (app.ts). */
  readonly database: DatabaseSync;
  close(): void;
}

// username: 3 to 32 of A–Z a–z 0–9 _ . -
export const USERNAME = { min: 3, max: 32, pattern: /^[A-Za-z0-9_.-]+$/ };
// NIST SP 800-63B: at least 8 characters; the upper bound keeps hashing cheap.
export const PASSWORD = { min: 8, max: 128 };

// scrypt cost: N = 2^15, r = 8, p = 1 needs 128·N·r = 32 MiB, which is exactly
// Node's default maxmem, so maxmem is raised. About 100 ms per hash here.
const COST = { log2N: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password with a fresh random salt.
 *
 * @example
 * await hashPassword("correct horse battery staple"); // "scrypt$15$8$1$…$…"
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { log2N, r, p } = COST;
  const key = await derive(password, salt, { N: 2 ** log2N, r, p, maxmem: MAX_MEMORY });
  return ["scrypt", log2N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/**
 * Checks a password against a stored hash in constant time. A malformed hash
 * never matches.
 *
 * @example
 * await verifyPassword("hunter22!", stored); // true or false
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, log2N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, "base64url");
  const options = { N: 2 ** Number(log2N), r: Number(r), p: Number(p), maxmem: MAX_MEMORY };
  const actual = await derive(password, Buffer.from(salt, "base64url"), options);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The form errors for a username and password, or null when both are fine.
 *
 * @example
 * validateCredentials("al", "short"); // "Usernames are 3 to 32 characters…"
 */
export function validateCredentials(username: string, password: string): string | null {
  if (
    username.length < USERNAME.min ||
    username.length > USERNAME.max ||
    !USERNAME.pattern.test(username)
  ) {
    return `Usernames are ${USERNAME.min} to ${USERNAME.max} characters: letters, digits, "_", "." and "-".`;
  }
  if (password.length < PASSWORD.min || password.length > PASSWORD.max) {
    return `Passwords are ${PASSWORD.min} to ${PASSWORD.max} characters long.`;
  }
  return null;
}

/**
 * Opens (and creates if needed) the accounts database at `path`; `":memory:"`
 * for tests.
 *
 * @example
 * const accounts = openAccounts("examples/demo/demo.db");
 * await accounts.register("alice", "correct horse");
 */
export function openAccounts(path: string): Accounts {
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      password_hash TEXT NOT NULL,
      created_at TEXT NOT NULL DEFAULT (datetime('now'))
    ) STRICT;
  `);
  const insert = db.prepare(
    "INSERT INTO users (username, password_hash) VALUES (?, ?) ON CONFLICT (username) DO NOTHING RETURNING id",
  );
  const find = db.prepare("SELECT id, username, password_hash FROM users WHERE username = ?");

  // Verified against when the user does not exist, so that an unknown name
  // takes as long as a wrong password and timing does not reveal who exists.
  // Made now, so that the first unknown name does not pay for it.
  const dummy = hashPassword("not anyone's password");

  return {
    database: db,

    async register(username, password) {
      const invalid = validateCredentials(username, password);
      if (invalid !== null) return { error: invalid };
      const hash = await hashPassword(password);
      const row = insert.get(username, hash) as { id: number } | undefined;
      if (row === undefined) return { error: `The username "${username}" is already taken.` };
      return { id: row.id, username };
    },

    async authenticate(username, password) {
      const row = find.get(username) as
        | { id: number; username: string; password_hash: string }
        | undefined;
      if (row === undefined) {
        await verifyPassword(password, await dummy);
        return null;
      }
      if (!(await verifyPassword(password, row.password_hash))) return null;
      return { id: row.id, username: row.username };
    },

    close() {
      db.close();
    },
  };
}

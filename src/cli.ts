#!/usr/bin/env node
// The `tessera` command. Exit codes: 0 done, 1 bad input, 2 usage.
//
// Secrets never come from a plain argument (visible in `ps` and in shell
// history): they come from TESSERA_SECRET / FLASK_SECRET_KEY or from
// --secret-file, and --secret is refused unless --insecure-secret-arg forces
// it. No command prints a secret back.
import { randomBytes } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { decodeJson } from "./codec/json.ts";
import { KeyRing } from "./crypto/keys.ts";
import { decodeBase64url } from "./crypto/seal.ts";
import { createSigner } from "./crypto/sign.ts";
import { TesseraError } from "./errors.ts";
import { createFlaskCodec, type FlaskCodec } from "./flask/codec.ts";
import { dumpFlaskJson, parseFlaskJson } from "./flask/json.ts";
import { inflate } from "./flask/zlib.ts";
import { type Expiry, expiresAt, resolveExpiry } from "./session/expiry.ts";
import type { SessionRecord } from "./session/record.ts";
import { sealedCookieStore } from "./session/sealed-cookie.ts";
import type { SessionStore } from "./session/store.ts";

/** Where the CLI writes. `process.stdout` and `process.stderr` fit. */
export interface Output {
  write(text: string): unknown;
}

const HELP = `Usage: tessera <command> [options]

Commands:
  secret          print a strong new secret (32 random bytes, base64url)
  inspect COOKIE  tell what a cookie is (tessera sealed or signed, Flask), its
                  key id and times, and with the secret its data
  seal JSON       seal session data into a cookie value, as the default store does
  open TOKEN      open a sealed cookie value and print the session record
  flask decode    verify and decode a Flask session cookie
  flask encode    make a Flask session cookie from Flask's tagged JSON

Secrets come from the environment (TESSERA_SECRET; FLASK_SECRET_KEY for Flask)
or from --secret-file FILE (one secret per line, newest first), never from a
plain argument. Exit codes: 0 done, 1 bad input, 2 usage.

Options:
  -h, --help  show help for a command (tessera <command> --help)
`;

const SECRET_HELP = `Usage: tessera secret [--bytes N]

Prints a new random secret for TESSERA_SECRET: N bytes (default 32, at least
32) from the operating system's CSPRNG, base64url without padding.
`;

const SECRET_OPTIONS = `  --secret-file FILE    read the secret(s) from FILE, one per line, newest first
  --secret S            refused: it would show in \`ps\` and shell history;
                        allowed only with --insecure-secret-arg
`;

const INSPECT_HELP = `Usage: tessera inspect COOKIE [options]

Tells what a cookie value is and what can be known about it:
  - tessera sealed session (token v2, or v1 of the AES-GCM option): key id;
    with the secret, the times, the expiry (with the default expiry
    settings) and the data;
  - tessera signed value (a server-side session id): key id; with the
    secret, whether the signature holds;
  - Flask session cookie: the signing time and expiry (Flask's default 31
    days), and the payload as JSON text, unverified; with the Flask secret,
    the verified data;
  - anything else: unknown.
COOKIE may be "name=value" (as copied from a Cookie header) or "-" for
standard input. With a secret that does not open the cookie, exits 1.

Options:
  --name NAME           the cookie name the value was made for (tessera
                        binds it; default __Host-session, or the name in
                        "name=value")
${SECRET_OPTIONS}  --allow-weak-secret   accept a weak Flask secret key
  --json                print the result as JSON
Secrets: TESSERA_SECRET for tessera cookies, FLASK_SECRET_KEY for Flask ones.
`;

const SEAL_HELP = `Usage: tessera seal JSON [options]

Seals session data (a JSON object, or "-" to read it from standard input)
into a cookie value, with the record format and key of the default sealed
cookie store: what a tessera app with the same secret and cookie name reads.

Options:
  --name NAME           the cookie name to bind (default __Host-session)
  --permanent           mark the session permanent ("remember me")
${SECRET_OPTIONS}Secret: TESSERA_SECRET, or --secret-file.
`;

const OPEN_HELP = `Usage: tessera open TOKEN [options]

Opens a sealed cookie value ("-" reads it from standard input) and prints
the session record as JSON: data, flash, permanent, createdAt, lastActiveAt,
and stale (true when an older secret sealed it). Exits 1 when it does not
open: another secret, another cookie name, or a changed value.

Options:
  --name NAME           the cookie name it was sealed for (default __Host-session)
${SECRET_OPTIONS}Secret: TESSERA_SECRET, or --secret-file.
`;

const FLASK_HELP = `Usage: tessera flask decode COOKIE [options]
       tessera flask encode JSON [options]

decode  verifies a Flask session cookie ("-" reads standard input) and prints
        its data as Flask's tagged JSON (tuples {" t": [...]}, bytes {" b": ...},
        Markup {" m": ...}, UUID {" u": ...}, datetime {" d": ...}).
encode  makes the cookie Flask would make for that tagged JSON ("-" reads
        standard input), byte for byte.

Options:
  --max-age DURATION    PERMANENT_SESSION_LIFETIME for decode (default 31d;
                        seconds, or 30m, 12h, 31d, …)
  --timestamp T         signing time for encode: seconds since the epoch or
                        an ISO 8601 date (default now)
  --secret-file FILE    read the keys from FILE, one per line: SECRET_KEY first,
                        then SECRET_KEY_FALLBACKS
  --secret S            refused: it would show in \`ps\` and shell history;
                        allowed only with --insecure-secret-arg
  --allow-weak-secret   accept a weak key (an existing Flask app's "dev" key…)
Secret: FLASK_SECRET_KEY, or --secret-file.
`;

/** Bad command line: exit 2, with the command's help. */
class UsageError extends Error {}
/** Bad input (a value that does not decode, a file that cannot be read): exit 1. */
class InputError extends Error {}

const COMMON = {
  help: { type: "boolean", short: "h" },
  "secret-file": { type: "string" },
  secret: { type: "string" },
  "insecure-secret-arg": { type: "boolean" },
} as const;

type Values = Record<string, string | boolean | undefined>;

function parse(
  args: string[],
  options: Record<string, { type: "string" | "boolean"; short?: string }>,
): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function one(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`);
  if (positionals.length > 1)
    throw new UsageError(`expected one ${what}, got ${positionals.length} arguments`);
  return positionals[0]!;
}

// "-" reads standard input, so a value need not appear in the process list.
function readArgument(value: string): string {
  if (value !== "-") return value;
  try {
    return readFileSync(0, "utf8").trim();
  } catch (error) {
    throw new InputError(`cannot read standard input: ${(error as Error).message}`);
  }
}

/** Secrets from --secret (only when forced), --secret-file or the environment; null when none. */
function readSecrets(values: Values, envName: string): string[] | null {
  if (values.secret !== undefined) {
    if (values["insecure-secret-arg"] !== true) {
      throw new UsageError(
        `--secret would show the secret in \`ps\` and in shell history; use --secret-file FILE or ${envName}, or add --insecure-secret-arg to force it`,
      );
    }
    return [values.secret as string];
  }
  const file = values["secret-file"];
  let text: string | undefined;
  if (typeof file === "string") {
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new InputError(
        `cannot read --secret-file ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  } else {
    text = process.env[envName];
    if (text === undefined || text === "") return null;
  }
  const secrets = text.split(/\r?\n/).filter((line) => line !== "");
  if (secrets.length === 0)
    throw new InputError(`${typeof file === "string" ? "--secret-file" : envName} holds no secret`);
  return secrets;
}

function needSecrets(values: Values, envName: string): string[] {
  const secrets = readSecrets(values, envName);
  if (secrets === null)
    throw new UsageError(`no secret: set ${envName} or pass --secret-file FILE`);
  return secrets;
}

function ringOf(secrets: string[]): KeyRing {
  // A weak secret is refused here as createSessions would refuse it.
  return new KeyRing(secrets);
}

function flaskCodec(secrets: string[], values: Values, maxAge?: string): FlaskCodec {
  const [secretKey, ...fallbackKeys] = secrets;
  return createFlaskCodec({
    secretKey: secretKey!,
    fallbackKeys,
    allowWeakSecret: values["allow-weak-secret"] === true,
    ...(maxAge === undefined ? {} : { maxAge: durationOf(maxAge) }),
  });
}

function durationOf(text: string): number | `${number}${"s" | "m" | "h" | "d" | "w"}` {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : (text as `${number}d`);
}

function storeFor(secrets: string[]): SessionStore {
  const store = sealedCookieStore();
  store.setup?.({ keys: ringOf(secrets), expiry: resolveExpiry() });
  return store;
}

const iso = (ms: number): string => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `(out of range: ${ms / 1000} s)` : date.toISOString();
};

function recordJson(record: SessionRecord, expiry: Expiry): Record<string, unknown> {
  return {
    data: record.data,
    flash: record.flash,
    permanent: record.permanent,
    createdAt: iso(record.createdAt),
    lastActiveAt: iso(record.lastActiveAt),
    expiresAt: iso(expiresAt(expiry, record)),
    stale: record.resave === true,
  };
}

// ---------------------------------------------------------------- secret

function secretCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(args, {
    help: { type: "boolean", short: "h" },
    bytes: { type: "string" },
  });
  if (values.help) {
    out.write(SECRET_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const bytes = values.bytes === undefined ? 32 : Number(values.bytes);
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 1024) {
    throw new InputError(`--bytes must be a whole number from 32 to 1024, got ${values.bytes}`);
  }
  out.write(`${randomBytes(bytes).toString("base64url")}\n`);
  return 0;
}

// ---------------------------------------------------------------- inspect

const COOKIE_PAIR = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(.*)$/;
// Version, key id, nonce, tag, per token version (src/crypto/seal.ts).
const SEALED_OVERHEAD: Record<number, number> = { 1: 1 + 4 + 12 + 16, 2: 1 + 4 + 24 + 16 };
const SIGNED_SUFFIX_CHARS = 50; // base64url of version, key id, HMAC-SHA256 (src/crypto/sign.ts)

interface FlaskParts {
  compressed: boolean;
  payload: Buffer;
  seconds: number;
}

// payload.timestamp.signature, the payload possibly "."-prefixed (compressed).
function flaskParts(value: string): FlaskParts | null {
  const compressed = value.startsWith(".");
  const parts = (compressed ? value.slice(1) : value).split(".");
  if (parts.length !== 3) return null;
  const [payloadText, tsText, sigText] = parts as [string, string, string];
  const payload = decodeBase64url(payloadText);
  const ts = decodeBase64url(tsText);
  const sig = decodeBase64url(sigText);
  if (payload === null || ts === null || sig === null || sig.length !== 20 || ts.length > 8)
    return null;
  let seconds = 0;
  for (const b of ts) seconds = seconds * 256 + b;
  return { compressed, payload, seconds };
}

function inspectCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(args, {
    ...COMMON,
    name: { type: "string" },
    json: { type: "boolean" },
    "allow-weak-secret": { type: "boolean" },
  });
  if (values.help) {
    out.write(INSPECT_HELP);
    return 0;
  }
  let value = readArgument(one(positionals, "COOKIE")).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  let name = values.name as string | undefined;
  const pair = COOKIE_PAIR.exec(value);
  if (pair !== null && !pair[2]!.includes("=")) {
    name ??= pair[1]!;
    value = pair[2]!;
  }
  name ??= "__Host-session";

  const info: Record<string, unknown> = {};
  let failed: string | null = null;
  const now = Date.now();
  const flask = flaskParts(value);
  const sealed = value.includes(".") ? null : decodeBase64url(value);
  const suffix =
    value.length > SIGNED_SUFFIX_CHARS &&
    value.charCodeAt(value.length - SIGNED_SUFFIX_CHARS - 1) === 46
      ? decodeBase64url(value.slice(-SIGNED_SUFFIX_CHARS))
      : null;

  if (flask !== null) {
    info.kind = "Flask session cookie (itsdangerous URLSafeTimedSerializer, HMAC-SHA1)";
    info.compressed = flask.compressed;
    info.signedAt = iso(flask.seconds * 1000);
    const secrets = readSecrets(values, "FLASK_SECRET_KEY");
    if (secrets === null) {
      info.expiresAt = `${iso((flask.seconds + 31 * 86400) * 1000)} (with Flask's default 31-day lifetime)`;
      // Shown as text and never parsed: nothing vouches for it.
      let text: string;
      try {
        text = Buffer.from(
          flask.compressed ? inflate(flask.payload, 1 << 20) : flask.payload,
        ).toString("utf8");
      } catch {
        text = "(does not decompress)";
      }
      info.payloadUnverified = text;
      info.note = "not verified: set FLASK_SECRET_KEY or pass --secret-file to verify and decode";
    } else {
      const codec = flaskCodec(secrets, values);
      info.expiresAt = iso((flask.seconds + codec.maxAge) * 1000);
      try {
        const opened = codec.open(value, { now });
        info.signature = opened.stale ? "valid (a fallback key)" : "valid (the current key)";
        info.data = JSON.parse(dumpFlaskJson(opened.data));
      } catch (error) {
        if (!(error instanceof TesseraError)) throw error;
        failed = `${error.code}: ${error.message.replace(/^\[tessera\] \[flask\] /, "")}`;
      }
    }
  } else if (suffix !== null && suffix.length === 37 && suffix[0] === 1) {
    info.kind = "tessera signed value (token v1, HMAC-SHA256): a server-side session id";
    info.keyId = suffix.subarray(1, 5).toString("hex");
    info.cookieName = name;
    const secrets = readSecrets(values, "TESSERA_SECRET");
    if (secrets !== null) {
      const verified = createSigner(ringOf(secrets), "id").verify(value, name);
      if (verified === null)
        failed = `the signature does not verify with these secrets for cookie ${JSON.stringify(name)}`;
      else {
        info.signature = verified.stale ? "valid (an older secret)" : "valid (the newest secret)";
        info.sessionId = verified.value;
      }
    }
  } else if (
    sealed !== null &&
    (sealed[0] === 1 || sealed[0] === 2) &&
    sealed.length > SEALED_OVERHEAD[sealed[0]]!
  ) {
    info.kind =
      sealed[0] === 2
        ? "tessera sealed session (token v2, XChaCha20-Poly1305)"
        : "tessera sealed session (token v1, AES-256-GCM)";
    info.keyId = sealed.subarray(1, 5).toString("hex");
    info.cookieName = name;
    info.sealedBytes = sealed.length - SEALED_OVERHEAD[sealed[0]]!;
    const secrets = readSecrets(values, "TESSERA_SECRET");
    if (secrets !== null) {
      const ring = ringOf(secrets);
      const age = ring.keys("session").findIndex((k) => k.id.toString("hex") === info.keyId);
      info.secret =
        age < 0 ? "none of the given secrets" : age === 0 ? "the newest" : `older #${age}`;
      const record = storeFor(secrets).get(value, {
        cookieName: name,
        now,
      }) as SessionRecord | null;
      if (record === null)
        failed = `it does not open with these secrets for cookie ${JSON.stringify(name)}`;
      else
        Object.assign(info, recordJson(record, resolveExpiry()), {
          expiry: "default settings (idle 30m, absolute 12h, remember 30d)",
        });
    } else {
      info.note = "encrypted: set TESSERA_SECRET or pass --secret-file to open it";
    }
  } else {
    info.kind = "unknown (not a tessera or Flask session cookie)";
  }

  if (values.json)
    out.write(`${JSON.stringify(failed === null ? info : { ...info, error: failed }, null, 2)}\n`);
  else {
    for (const [key, v] of Object.entries(info)) {
      out.write(`${key}: ${typeof v === "string" ? v : JSON.stringify(v)}\n`);
    }
  }
  if (failed !== null) throw new InputError(failed);
  return 0;
}

// ---------------------------------------------------------------- seal / open

function sealCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(args, {
    ...COMMON,
    name: { type: "string" },
    permanent: { type: "boolean" },
  });
  if (values.help) {
    out.write(SEAL_HELP);
    return 0;
  }
  const text = readArgument(one(positionals, "JSON"));
  const secrets = needSecrets(values, "TESSERA_SECRET");
  let data: unknown;
  try {
    data = decodeJson(text);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new InputError("session data must be a JSON object");
  const now = Date.now();
  const record: SessionRecord = {
    id: "",
    data: data as Record<string, unknown>,
    flash: [],
    createdAt: now,
    lastActiveAt: now,
    permanent: values.permanent === true,
  };
  const cookieName = (values.name as string | undefined) ?? "__Host-session";
  out.write(`${storeFor(secrets).set("", record, { cookieName, now }) as string}\n`);
  return 0;
}

function openCommand(args: string[], out: Output): number {
  const { values, positionals } = parse(args, { ...COMMON, name: { type: "string" } });
  if (values.help) {
    out.write(OPEN_HELP);
    return 0;
  }
  const token = readArgument(one(positionals, "TOKEN"));
  const secrets = needSecrets(values, "TESSERA_SECRET");
  const cookieName = (values.name as string | undefined) ?? "__Host-session";
  const record = storeFor(secrets).get(token, {
    cookieName,
    now: Date.now(),
  }) as SessionRecord | null;
  if (record === null) {
    throw new InputError(
      `the token does not open with these secrets for cookie ${JSON.stringify(cookieName)} (another secret or --name, or a changed value)`,
    );
  }
  out.write(`${JSON.stringify(recordJson(record, resolveExpiry()), null, 2)}\n`);
  return 0;
}

// ---------------------------------------------------------------- flask

function flaskCommand(args: string[], out: Output): number {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError("missing subcommand: decode or encode");
  if (sub === "-h" || sub === "--help") {
    out.write(FLASK_HELP);
    return 0;
  }
  if (sub !== "decode" && sub !== "encode")
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}: decode or encode`);
  const { values, positionals } = parse(rest, {
    ...COMMON,
    "allow-weak-secret": { type: "boolean" },
    ...(sub === "decode" ? { "max-age": { type: "string" } } : { timestamp: { type: "string" } }),
  });
  if (values.help) {
    out.write(FLASK_HELP);
    return 0;
  }
  const input = readArgument(one(positionals, sub === "decode" ? "COOKIE" : "JSON"));
  const secrets = needSecrets(values, "FLASK_SECRET_KEY");
  const codec = flaskCodec(secrets, values, values["max-age"] as string | undefined);
  if (sub === "decode") {
    out.write(`${dumpFlaskJson(codec.decode(input))}\n`);
    return 0;
  }
  let timestamp = Date.now();
  if (typeof values.timestamp === "string") {
    const t = values.timestamp;
    timestamp = /^\d+$/.test(t) ? Number(t) * 1000 : Date.parse(t);
    if (Number.isNaN(timestamp))
      throw new InputError(
        `--timestamp must be seconds since the epoch or an ISO 8601 date, got ${t}`,
      );
  }
  const data = parseFlaskJson(input);
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new InputError("a Flask session must be a JSON object");
  out.write(`${codec.encode(data as Record<string, unknown>, { timestamp })}\n`);
  return 0;
}

const COMMANDS: Record<string, { run: (args: string[], out: Output) => number; help: string }> = {
  secret: { run: secretCommand, help: SECRET_HELP },
  inspect: { run: inspectCommand, help: INSPECT_HELP },
  seal: { run: sealCommand, help: SEAL_HELP },
  open: { run: openCommand, help: OPEN_HELP },
  flask: { run: flaskCommand, help: FLASK_HELP },
};

/**
 * Runs the CLI with the given arguments and returns the exit code: 0 done,
 * 1 bad input, 2 usage. Errors are one line on `err`, never a stack trace.
 *
 * @example
 * process.exitCode = main(["secret"]);
 */
export function main(
  argv: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    (command === undefined ? err : out).write(HELP);
    return command === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (entry === undefined) {
    err.write(`tessera: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  try {
    return entry.run(rest, out);
  } catch (error) {
    const message = oneLine((error as Error)?.message ?? String(error));
    if (error instanceof UsageError) {
      err.write(`tessera ${command}: ${message}\n\n${entry.help}`);
      return 2;
    }
    if (error instanceof InputError || error instanceof TesseraError) {
      err.write(`tessera ${command}: ${message}\n`);
      return 1;
    }
    err.write(`tessera ${command}: unexpected error: ${message}\n`);
    return 1;
  }
}

// One line, without the "[tessera] [flask]" origin that the command name already gives.
function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/^(\[[a-z]+\] )+/, "")
    .trim();
}

// Run when executed (also through npm's bin symlink), not when imported.
const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = main(process.argv.slice(2));
}

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { KeyRing } from "./crypto/keys.ts";
import { checkSecret } from "./crypto/secrets.ts";
import { createSigner } from "./crypto/sign.ts";
import { createFlaskCodec } from "./flask/codec.ts";
import { FlaskTuple } from "./flask/values.ts";
import { createSessions } from "./manager/sessions.ts";

const cli = new URL("./cli.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "tessera-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = randomBytes(32).toString("base64url");
const OLD_SECRET = randomBytes(32).toString("base64url");
const FLASK_KEY = randomBytes(32).toString("base64url");
// Every secret the tests use: none may ever be printed.
const SECRETS = [SECRET, OLD_SECRET, FLASK_KEY];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Run {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", ...options.env };
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    env,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  for (const secret of SECRETS) {
    assert.ok(
      !result.stdout.includes(secret) && !result.stderr.includes(secret),
      "a secret was printed",
    );
  }
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  return result;
}

function fails(result: Run, status: 1 | 2, message: RegExp): void {
  assert.equal(result.status, status, result.stderr);
  assert.match(result.stderr, message);
  if (status === 1) assert.equal(result.stderr.trim().split("\n").length, 1, "a one-line error");
}

const tessera = { env: { TESSERA_SECRET: SECRET } };
const flask = { env: { FLASK_SECRET_KEY: FLASK_KEY } };
const secretFile = (name: string, ...lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};

describe("tessera", () => {
  test("help, usage errors (2)", () => {
    assert.equal(run(["--help"]).status, 0);
    assert.match(run(["--help"]).stdout, /Usage: tessera <command>/);
    fails(run([]), 2, /Usage: tessera/);
    fails(run(["nope"]), 2, /unknown command "nope"/);
  });

  test("every command has --help", () => {
    for (const [args, usage] of [
      [["secret", "--help"], /Usage: tessera secret/],
      [["inspect", "--help"], /Usage: tessera inspect/],
      [["seal", "-h"], /Usage: tessera seal/],
      [["open", "--help"], /Usage: tessera open/],
      [["flask", "--help"], /Usage: tessera flask decode/],
      [["flask", "decode", "--help"], /tessera flask decode/],
      [["flask", "encode", "--help"], /tessera flask encode/],
    ] as const) {
      const result = run([...args]);
      assert.equal(result.status, 0, args.join(" "));
      assert.match(result.stdout, usage);
    }
  });
});

describe("tessera secret", () => {
  test("prints a secret that passes the strength check, new each time", () => {
    const a = run(["secret"]);
    const b = run(["secret"]);
    assert.equal(a.status, 0);
    const secret = a.stdout.trim();
    assert.equal(Buffer.from(secret, "base64url").length, 32);
    assert.notEqual(secret, b.stdout.trim());
    checkSecret(secret);
    assert.equal(
      Buffer.from(run(["secret", "--bytes", "64"]).stdout.trim(), "base64url").length,
      64,
    );
  });

  test("usage (2) and bad input (1)", () => {
    fails(run(["secret", "--what"]), 2, /Unknown option '--what'/);
    fails(run(["secret", "extra"]), 2, /unexpected argument/);
    fails(run(["secret", "--bytes", "8"]), 1, /from 32 to 1024/);
  });
});

describe("tessera seal / open", () => {
  test("seal then open, through the sealed cookie store's own format", async () => {
    const sealed = run(["seal", '{"userId":"u_1","roles":["admin"]}', "--permanent"], tessera);
    assert.equal(sealed.status, 0, sealed.stderr);
    const token = sealed.stdout.trim();
    const opened = run(["open", token], tessera);
    assert.equal(opened.status, 0, opened.stderr);
    const record = JSON.parse(opened.stdout);
    assert.deepEqual(record.data, { userId: "u_1", roles: ["admin"] });
    assert.equal(record.permanent, true);
    assert.equal(record.stale, false);
    assert.ok(Date.parse(record.createdAt) <= Date.now());
    // A tessera app with the same secret reads it as its session.
    const sessions = createSessions({ secrets: [SECRET] });
    const session = await sessions.load({
      headers: new Headers({ cookie: `__Host-session=${token}` }),
    });
    assert.equal(session.get("userId"), "u_1");
    assert.equal(session.permanent, true);
  });

  test("--name binds the cookie name; stdin with -; secrets from a file, newest first", () => {
    const file = secretFile("rotation", SECRET, OLD_SECRET);
    const oldFile = secretFile("old", OLD_SECRET);
    const token = run(["seal", "-", "--name", "sid", "--secret-file", oldFile], {
      input: '{"a":1}',
    }).stdout.trim();
    fails(
      run(["open", token, "--secret-file", oldFile]),
      1,
      /does not open .* cookie "__Host-session"/,
    );
    const opened = run(["open", "-", "--name", "sid", "--secret-file", file], { input: token });
    assert.equal(opened.status, 0, opened.stderr);
    assert.equal(JSON.parse(opened.stdout).stale, true, "an older secret sealed it");
  });

  test("bad input (1): bad JSON, not an object, forbidden keys, a changed token, weak secrets", () => {
    fails(run(["seal", "{nope"], tessera), 1, /not valid JSON/);
    fails(run(["seal", "[1,2]"], tessera), 1, /must be a JSON object/);
    fails(run(["seal", '{"__proto__":{"admin":true}}'], tessera), 1, /__proto__/);
    const token = run(["seal", '{"a":1}'], tessera).stdout.trim();
    // Change the second-to-last character to another letter: always a different token.
    const changed = `${token.slice(0, -2)}${token.at(-2) === "A" ? "B" : "A"}${token.at(-1)}`;
    fails(run(["open", changed], tessera), 1, /does not open/);
    fails(run(["open", token], { env: { TESSERA_SECRET: OLD_SECRET } }), 1, /does not open/);
    fails(
      run(["seal", "{}"], { env: { TESSERA_SECRET: "changeme" } }),
      1,
      /session secret refused/,
    );
    fails(
      run(["open", token, "--secret-file", join(dir, "missing")]),
      1,
      /cannot read --secret-file .*ENOENT/,
    );
  });

  test("usage (2): no secret, a secret as an argument, missing or extra arguments", () => {
    fails(run(["seal", "{}"]), 2, /no secret: set TESSERA_SECRET/);
    fails(run(["seal", "{}", "--secret", SECRET]), 2, /would show the secret in `ps`/);
    fails(run(["open"], tessera), 2, /missing TOKEN/);
    fails(run(["seal", "{}", "{}"], tessera), 2, /expected one JSON/);
    fails(run(["open", "x", "--bogus"], tessera), 2, /Unknown option/);
    // Forced, it works.
    const forced = run(["seal", "{}", "--secret", SECRET, "--insecure-secret-arg"]);
    assert.equal(forced.status, 0, forced.stderr);
  });
});

describe("tessera inspect", () => {
  const token = () => run(["seal", '{"user":"alice"}'], tessera).stdout.trim();

  test("a sealed session: key id without the secret, data with it", () => {
    const t = token();
    const bare = run(["inspect", t]);
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /kind: tessera sealed session \(token v2, XChaCha20-Poly1305\)/);
    const keyId = new KeyRing(SECRET).keys("session")[0]!.id.toString("hex");
    assert.match(bare.stdout, new RegExp(`keyId: ${keyId}`));
    assert.doesNotMatch(bare.stdout, /alice/);
    const full = run(["inspect", `__Host-session=${t}`, "--json"], tessera);
    assert.equal(full.status, 0, full.stderr);
    const info = JSON.parse(full.stdout);
    assert.deepEqual(info.data, { user: "alice" });
    assert.equal(info.secret, "the newest");
    assert.ok(Date.parse(info.expiresAt) > Date.now());
    fails(run(["inspect", t], { env: { TESSERA_SECRET: OLD_SECRET } }), 1, /does not open/);
  });

  test("a signed session id", () => {
    const signed = createSigner(new KeyRing(SECRET), "id").sign("sess_123", "__Host-sid");
    const bare = run(["inspect", signed]);
    assert.match(bare.stdout, /kind: tessera signed value/);
    const full = run(["inspect", `__Host-sid=${signed}`], tessera);
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.stdout, /signature: valid \(the newest secret\)/);
    assert.match(full.stdout, /sessionId: sess_123/);
    fails(run(["inspect", signed], tessera), 1, /does not verify .* "__Host-session"/);
  });

  test("a Flask cookie: times and the unverified payload without the key, the data with it", () => {
    const at = (Math.floor(Date.now() / 1000) - 3600) * 1000;
    const iso = (ms: number) => new Date(ms).toISOString().replaceAll(".", "\\.");
    const cookie = createFlaskCodec({ secretKey: FLASK_KEY }).encode(
      { user: "alice", _flashes: [new FlaskTuple("message", "hi")] },
      { timestamp: at },
    );
    const bare = run(["inspect", `session=${cookie}`]);
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /kind: Flask session cookie/);
    assert.match(bare.stdout, new RegExp(`signedAt: ${iso(at)}`));
    assert.match(
      bare.stdout,
      new RegExp(`expiresAt: ${iso(at + 31 * 86400_000)} \\(with Flask's default`),
    );
    assert.match(bare.stdout, /payloadUnverified: .*"user":"alice"/);
    const full = run(["inspect", cookie, "--json"], flask);
    const info = JSON.parse(full.stdout);
    assert.equal(info.signature, "valid (the current key)");
    assert.deepEqual(info.data, { _flashes: [{ " t": ["message", "hi"] }], user: "alice" });
    const changed = `${cookie.slice(0, -2)}${cookie.at(-2) === "A" ? "B" : "A"}${cookie.at(-1)}`;
    fails(run(["inspect", changed], flask), 1, /ERR_FLASK_SIGNATURE/);
  });

  test("unknown values; usage", () => {
    const result = run(["inspect", "hello"]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /kind: unknown/);
    fails(run(["inspect"]), 2, /missing COOKIE/);
  });
});

describe("tessera flask", () => {
  test("encode writes Flask's cookie byte for byte; decode reads it back", () => {
    // itsdangerous-vectors.json, flask-session-flash (key "secret", 2011-06-24T00:09:05Z)
    const encoded = run(
      [
        "flask",
        "encode",
        '{"user_id":1,"_flashes":[{" t":["message","Hello World"]}]}',
        "--timestamp",
        "1308874145",
        "--allow-weak-secret",
      ],
      { env: { FLASK_SECRET_KEY: "secret" } },
    );
    assert.equal(encoded.status, 0, encoded.stderr);
    assert.equal(
      encoded.stdout.trim(),
      "eyJfZmxhc2hlcyI6W3siIHQiOlsibWVzc2FnZSIsIkhlbGxvIFdvcmxkIl19XSwidXNlcl9pZCI6MX0.TgPVoQ.IPynam-hlCXENlHmWf5H_qZ3zvM",
    );
    const cookie = run(
      ["flask", "encode", '{"n":12345678901234567890,"d":{" d":"Wed, 02 Jan 2030 03:04:05 GMT"}}'],
      flask,
    ).stdout.trim();
    const decoded = run(["flask", "decode", cookie], flask);
    assert.equal(decoded.status, 0, decoded.stderr);
    assert.equal(
      decoded.stdout.trim(),
      '{"d":{" d":"Wed, 02 Jan 2030 03:04:05 GMT"},"n":12345678901234567890}',
    );
    // Rotation: the file's first key signs, the others verify.
    const file = secretFile("flask-keys", randomBytes(32).toString("base64url"), FLASK_KEY);
    assert.equal(run(["flask", "decode", cookie, "--secret-file", file]).status, 0);
    assert.equal(run(["flask", "decode", "-", "--secret-file", file], { input: cookie }).status, 0);
  });

  test("bad input (1): tampered, expired, weak key, bad JSON, bad time", () => {
    const cookie = run(
      ["flask", "encode", '{"a":1}', "--timestamp", "2020-01-01T00:00:00Z"],
      flask,
    ).stdout.trim();
    fails(run(["flask", "decode", cookie], flask), 1, /ERR_FLASK_EXPIRED|is \d+ s old/);
    assert.equal(run(["flask", "decode", cookie, "--max-age", "5000w"], flask).status, 0);
    fails(
      run(["flask", "decode", `x${cookie}`, "--max-age", "5000w"], flask),
      1,
      /signature does not match/,
    );
    fails(
      run(["flask", "decode", cookie], { env: { FLASK_SECRET_KEY: "dev" } }),
      1,
      /allowWeakSecret/,
    );
    fails(run(["flask", "encode", "{nope"], flask), 1, /not valid JSON/);
    fails(run(["flask", "encode", "[]"], flask), 1, /must be a JSON object/);
    fails(run(["flask", "encode", "{}", "--timestamp", "soon"], flask), 1, /--timestamp must be/);
  });

  test("usage (2)", () => {
    fails(run(["flask"], flask), 2, /missing subcommand/);
    fails(run(["flask", "sign"], flask), 2, /unknown subcommand "sign"/);
    fails(run(["flask", "decode", "x"]), 2, /no secret: set FLASK_SECRET_KEY/);
    fails(run(["flask", "decode", "x", "--secret", FLASK_KEY]), 2, /--insecure-secret-arg/);
    fails(run(["flask", "encode", "{}", "--max-age", "1"], flask), 2, /Unknown option '--max-age'/);
  });
});

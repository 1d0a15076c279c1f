import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { TesseraError, WeakSecretError } from "../errors.ts";
import { createFlaskCodec } from "./codec.ts";
import {
  FlaskCookieError,
  FlaskExpiredError,
  FlaskFutureError,
  FlaskPayloadError,
  FlaskSignatureError,
} from "./errors.ts";
import { FlaskFloat, FlaskTuple, Markup, UUID } from "./values.ts";

interface Vector {
  id: string;
  expected: string;
  timestamp?: number;
  input?: unknown;
  payload_json?: string;
}
const vectors = JSON.parse(
  readFileSync(new URL("./fixtures/itsdangerous-vectors.json", import.meta.url), "utf8"),
) as { derived_vectors: Vector[]; stated_vectors: { id: string; input: unknown }[] };
const behaviours = JSON.parse(
  readFileSync(new URL("./fixtures/flask-session-behaviours.json", import.meta.url), "utf8"),
) as { id: string; setup: unknown }[];

const b64 = (text: string): string => Buffer.from(text).toString("base64url");
const strong = () => randomBytes(32).toString("base64url");
const TS = 1308874145; // 2011-06-24T00:09:05Z, the vectors' fixed clock
const AT = TS * 1000;

function rejects(
  fn: () => unknown,
  type: new (...args: never[]) => FlaskCookieError,
  code: string,
) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(
      e instanceof type,
      `expected ${type.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`,
    );
    assert.ok(e instanceof FlaskCookieError && e instanceof TesseraError);
    assert.equal((e as FlaskCookieError).code, code);
    return true;
  });
}

// The vectors use the key "secret", which checkSecret refuses.
const weak = createFlaskCodec({ secretKey: "secret", allowWeakSecret: true });

describe("itsdangerous / Flask vectors (fixtures/itsdangerous-vectors.json)", () => {
  for (const v of vectors.derived_vectors.filter((v) => v.id.startsWith("flask-session-"))) {
    test(v.id, () => {
      const data = (v.input ?? JSON.parse(v.payload_json ?? "null")) as Record<string, unknown>;
      const decoded = weak.decode(v.expected, { now: AT });
      if (v.id === "flask-session-compressed") {
        assert.ok(v.expected.startsWith("."));
        assert.deepEqual(decoded, { x: "a".repeat(1000) });
      } else if (v.id === "flask-session-flash") {
        assert.deepEqual(decoded, {
          _flashes: [new FlaskTuple("message", "Hello World")],
          user_id: 1,
        });
      } else {
        assert.deepEqual(decoded, data);
      }
      // And written back byte for byte.
      assert.equal(weak.encode(decoded, { timestamp: AT }), v.expected);
    });
  }

  test("int-bytes: timestamps are big-endian without leading zero bytes", () => {
    for (const v of vectors.stated_vectors.filter((v) => v.id.startsWith("int-bytes-"))) {
      const seconds = Number(v.input);
      if (!Number.isSafeInteger(seconds)) continue; // 2^64-1 is past any Date
      const cookie = weak.encode({}, { timestamp: seconds * 1000 });
      const part = cookie.split(".")[1]!;
      const expected = (v as unknown as { expected_hex: string }).expected_hex;
      assert.equal(Buffer.from(part, "base64url").toString("hex"), expected, v.id);
    }
  });

  test("base64-bad: a 5-character part is refused cleanly", () => {
    rejects(() => weak.decode("12345", { now: AT }), FlaskSignatureError, "ERR_FLASK_SIGNATURE");
    rejects(
      () => weak.decode("a.b.12345", { now: AT }),
      FlaskSignatureError,
      "ERR_FLASK_SIGNATURE",
    );
  });
});

describe("itsdangerous behaviours", () => {
  const cookie = weak.encode({ a: 1 }, { timestamp: AT });

  test("no-separator, truncated-signature, changed-value, tamper-transforms", () => {
    const tampered = [
      cookie.replace(".", "*"),
      cookie.replaceAll(".", ""),
      cookie.slice(0, -1),
      `${cookie}a`,
      cookie.toUpperCase(),
      `a${cookie.slice(1)}`,
      `${b64('{"a":2}')}${cookie.slice(cookie.indexOf("."))}`,
      "",
      ".",
      "..",
    ];
    for (const value of tampered)
      rejects(() => weak.decode(value, { now: AT }), FlaskSignatureError, "ERR_FLASK_SIGNATURE");
  });

  test("only the canonical spelling of the signature verifies", () => {
    const sigDot = cookie.lastIndexOf(".");
    const signed = cookie.slice(0, sigDot);
    const signature = cookie.slice(sigDot + 1);
    assert.equal(signature.length, 27);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const value = alphabet.indexOf(signature[26]!);
    const variants = [
      // The same 20 bytes with the unused low bits of the last character set.
      `${signature.slice(0, 26)}${alphabet[value | 1]}`,
      `${signature.slice(0, 26)}${alphabet[value | 2]}`,
      // base64 (not base64url) characters, padding, a foreign character.
      signature.replaceAll("-", "+").replaceAll("_", "/"),
      `${signature}=`,
      `${signature.slice(0, 26)}=`,
      `${signature.slice(0, 13)}é${signature.slice(14)}`,
      `${signature.slice(0, 13)}.${signature.slice(14)}`,
      signature.slice(1),
      `A${signature}`,
    ].filter((v) => v !== signature);
    assert.equal(variants.length, 9);
    for (const variant of variants)
      rejects(
        () => weak.decode(`${signed}.${variant}`, { now: AT }),
        FlaskSignatureError,
        "ERR_FLASK_SIGNATURE",
      );
    // Each byte of the signature counts.
    for (let i = 0; i < 27; i++) {
      const c = alphabet[(alphabet.indexOf(signature[i]!) + (i === 26 ? 4 : 1)) % 64]!;
      rejects(
        () =>
          weak.decode(`${signed}.${signature.slice(0, i)}${c}${signature.slice(i + 1)}`, {
            now: AT,
          }),
        FlaskSignatureError,
        "ERR_FLASK_SIGNATURE",
      );
    }
    assert.deepEqual(weak.decode(cookie, { now: AT }), { a: 1 });
  });

  test("key rotation: secretKey signs, fallback keys only verify, and say so", () => {
    const [oldKey, newKey, otherKey] = [strong(), strong(), strong()];
    const before = createFlaskCodec({ secretKey: oldKey });
    const after = createFlaskCodec({ secretKey: newKey, fallbackKeys: [oldKey] });
    const old = before.encode({ a: 1 });
    assert.deepEqual(after.open(old), {
      data: { a: 1 },
      signedAt: after.open(old).signedAt,
      stale: true,
    });
    const fresh = after.encode({ a: 1 });
    assert.equal(after.open(fresh).stale, false);
    rejects(() => before.decode(fresh), FlaskSignatureError, "ERR_FLASK_SIGNATURE");
    rejects(
      () => createFlaskCodec({ secretKey: otherKey }).decode(old),
      FlaskSignatureError,
      "ERR_FLASK_SIGNATURE",
    );
  });

  test("flask key-fallbacks steps (fixtures/flask-session-behaviours.json)", () => {
    const steps = behaviours.find((b) => b.id === "key-fallbacks")!.setup as {
      SECRET_KEY: string;
      FALLBACKS?: string[];
      expect: Record<string, unknown>;
    }[];
    const codec = (s: (typeof steps)[number]) =>
      createFlaskCodec({
        secretKey: s.SECRET_KEY,
        fallbackKeys: s.FALLBACKS ?? [],
        allowWeakSecret: true,
      });
    const cookie = codec(steps[0]!).encode({ a: 1 });
    for (const step of steps) {
      let data: Record<string, unknown>;
      try {
        data = codec(step).decode(cookie);
      } catch {
        data = {}; // Flask opens an empty session
      }
      assert.deepEqual(data, step.expect);
    }
  });

  test("bad-signature-payload: the payload is never parsed before the signature holds", () => {
    // A forbidden key with a bad signature is a signature error, not a payload error.
    const evil = `${b64('{"__proto__":{"admin":true}}')}.TgPVoQ.${"A".repeat(27)}`;
    rejects(() => weak.decode(evil, { now: AT }), FlaskSignatureError, "ERR_FLASK_SIGNATURE");
  });

  test("bad-payload: a validly signed corrupt payload is a payload error", () => {
    const key = createHmac("sha1", "secret").update("cookie-session").digest();
    const sign = (payload: string) => {
      const signed = `${payload}.TgPVoQ`;
      return `${signed}.${createHmac("sha1", key).update(signed).digest("base64url")}`;
    };
    for (const payload of [
      b64("{not json"),
      b64("[1,2]"),
      b64('{"__proto__":{"admin":true}}'),
      b64('{"a":{" di":{"constructor__":1}}}'),
      `.${b64("not zlib")}`,
      "a",
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("base64url"), // not UTF-8
    ]) {
      rejects(
        () => weak.decode(sign(payload), { now: AT }),
        FlaskPayloadError,
        "ERR_FLASK_PAYLOAD",
      );
    }
    // The control: the same signing gives a readable cookie.
    assert.deepEqual(weak.decode(sign(b64('{"a":1}')), { now: AT }), { a: 1 });
  });

  test("salt-separation: a value signed for another salt does not verify", () => {
    const key = createHmac("sha1", "secret").update("other-salt").digest();
    const signed = `${b64('{"a":1}')}.TgPVoQ`;
    const cookie = `${signed}.${createHmac("sha1", key).update(signed).digest("base64url")}`;
    rejects(() => weak.decode(cookie, { now: AT }), FlaskSignatureError, "ERR_FLASK_SIGNATURE");
  });

  test("timestamp-missing and timestamp-malformed are signature errors", () => {
    const key = createHmac("sha1", "secret").update("cookie-session").digest();
    const sign = (signed: string) =>
      `${signed}.${createHmac("sha1", key).update(signed).digest("base64url")}`;
    rejects(
      () => weak.decode(sign(b64('{"a":1}')), { now: AT }),
      FlaskSignatureError,
      "ERR_FLASK_SIGNATURE",
    );
    rejects(
      () => weak.decode(sign(`${b64('{"a":1}')}.____________`), { now: AT }),
      FlaskSignatureError,
      "ERR_FLASK_SIGNATURE",
    );
  });

  test("timed-max-age: age == maxAge is accepted, one second more has expired", () => {
    const codec = createFlaskCodec({ secretKey: "secret", allowWeakSecret: true, maxAge: 10 });
    const c = codec.encode({ a: 1 }, { timestamp: AT });
    assert.deepEqual(codec.decode(c, { now: AT + 1000 }), { a: 1 });
    assert.deepEqual(codec.decode(c, { now: AT + 10_999 }), { a: 1 }); // whole seconds
    assert.throws(
      () => codec.decode(c, { now: AT + 11_000 }),
      (e: unknown) =>
        e instanceof FlaskExpiredError &&
        e.code === "ERR_FLASK_EXPIRED" &&
        e.signedAt.getTime() === AT,
    );
    // Flask's default: 31 days.
    assert.equal(weak.maxAge, 31 * 86400);
    assert.deepEqual(weak.decode(c, { now: AT + 31 * 86400_000 }), { a: 1 });
    rejects(
      () => weak.decode(c, { now: AT + 31 * 86400_000 + 1000 }),
      FlaskExpiredError,
      "ERR_FLASK_EXPIRED",
    );
  });

  test("timed-future: a timestamp in the future is refused", () => {
    const c = weak.encode({ a: 1 }, { timestamp: AT });
    assert.throws(
      () => weak.decode(c, { now: new Date(AT - 1000) }),
      (e: unknown) => e instanceof FlaskFutureError && e.code === "ERR_FLASK_FUTURE",
    );
    // A year past 9999 is no time at all: itsdangerous' malformed-future-timestamp
    // (7 bytes, which crashes Python's date conversion) is a signature error here.
    const key = createHmac("sha1", "secret").update("cookie-session").digest();
    const signed = `${b64('{"a":1}')}.TgPVoaGhoQ`;
    const far = `${signed}.${createHmac("sha1", key).update(signed).digest("base64url")}`;
    rejects(() => weak.decode(far, { now: AT }), FlaskSignatureError, "ERR_FLASK_SIGNATURE");
  });

  test("the error codes are distinct", () => {
    const errors = [
      new FlaskSignatureError("x"),
      new FlaskExpiredError(new Date(0), 2, 1),
      new FlaskFutureError(new Date(0), 1),
      new FlaskPayloadError("x"),
    ];
    assert.equal(new Set(errors.map((e) => e.code)).size, 4);
  });
});

describe("createFlaskCodec", () => {
  test("special-types round-trip (flask test_session_special_types)", () => {
    const codec = createFlaskCodec({ secretKey: strong() });
    const data = {
      t: new FlaskTuple(1, 2, 3),
      b: new Uint8Array([0xff]),
      m: new Markup("<html>"),
      u: new UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
      d: new Date(Date.UTC(2030, 5, 7, 8, 9, 10)),
      t_tag: { " t": "not-a-tuple" },
      di_t: { " t__": "not-a-tuple" },
      di_tag: { " di": "not-a-dict" },
      f: new FlaskFloat(2),
      big: 2n ** 80n,
      nested: { list: [1, [2, { three: 3 }]] },
    };
    const cookie = codec.encode(data);
    const back = codec.decode(cookie);
    assert.deepEqual(back, data);
    assert.ok(back.t instanceof FlaskTuple && back.m instanceof Markup && back.u instanceof UUID);
    assert.ok(
      back.d instanceof Date && back.f instanceof FlaskFloat && typeof back.big === "bigint",
    );
    assert.equal(codec.encode(back), cookie);
  });

  test("compresses only when at least two bytes shorter", () => {
    const codec = createFlaskCodec({ secretKey: strong() });
    assert.ok(codec.encode({ x: "a".repeat(100) }).startsWith("."));
    assert.ok(!codec.encode({ x: "abc" }).startsWith("."));
    assert.ok(!codec.encode({}).startsWith("."));
  });

  test("a 1 MiB inflate limit", () => {
    const codec = createFlaskCodec({ secretKey: strong() });
    const huge = codec.encode({ x: "a".repeat(2 << 20) });
    assert.ok(huge.length < 6000);
    rejects(() => codec.decode(huge), FlaskPayloadError, "ERR_FLASK_PAYLOAD");
  });

  test("keys: weak ones refused unless allowed, empty ones always", () => {
    assert.throws(() => createFlaskCodec({ secretKey: "dev" }), WeakSecretError);
    assert.throws(
      () => createFlaskCodec({ secretKey: strong(), fallbackKeys: ["changeme"] }),
      /fallbackKeys\[0\]/,
    );
    assert.throws(() => createFlaskCodec({ secretKey: "", allowWeakSecret: true }), /empty/);
    assert.doesNotThrow(() =>
      createFlaskCodec({ secretKey: new Uint8Array(32).fill(7), allowWeakSecret: true }),
    );
  });

  test("encode refuses what is not a session dict", () => {
    const codec = createFlaskCodec({ secretKey: strong() });
    rejects(() => codec.encode([] as never), FlaskPayloadError, "ERR_FLASK_PAYLOAD");
    rejects(() => codec.encode({ m: new Map() }), FlaskPayloadError, "ERR_FLASK_PAYLOAD");
    assert.throws(() => codec.encode({}, { timestamp: -5000 }), RangeError);
  });
});

// Property-based tests of the Flask codec: any cookie or tagged JSON gives a
// typed error or data, never another exception and never a polluted
// prototype; and encode ∘ decode gives the data back.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { createFlaskCodec } from "./codec.ts";
import { FlaskCookieError, FlaskPayloadError } from "./errors.ts";
import { dumpFlaskJson, parseFlaskJson } from "./json.ts";

const flask = createFlaskCodec({ secretKey: randomBytes(32).toString("hex") });
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function onlyTyped(fn: () => unknown, type: new (...args: never[]) => Error): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof type, String(error));
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
}

test("decode() of any value throws only a FlaskCookieError", () => {
  const cookie = fc.oneof(
    fc.string({ unit: fc.constantFrom(...B64, "."), maxLength: 120 }),
    fc.string({ unit: "binary", maxLength: 120 }),
  );
  fc.assert(
    fc.property(cookie, (value) => onlyTyped(() => flask.decode(value), FlaskCookieError)),
    { numRuns: fuzzRuns() },
  );
});

test("a valid cookie changed anywhere is refused with a typed error", () => {
  const cookie = flask.encode({ user: "alice", n: 1 });
  fc.assert(
    fc.property(
      fc.nat({ max: cookie.length - 1 }),
      fc.string({ unit: fc.constantFrom(...B64, "."), maxLength: 2 }),
      fc.nat({ max: 2 }),
      (at, insert, remove) => {
        const changed = cookie.slice(0, at) + insert + cookie.slice(at + remove);
        fc.pre(changed !== cookie);
        assert.throws(() => flask.decode(changed), FlaskCookieError);
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test("parseFlaskJson of any text, tags and prototype keys included, throws only FlaskPayloadError", () => {
  const piece = fc.constantFrom(
    '" t"',
    '" b"',
    '" m"',
    '" u"',
    '" d"',
    '" di"',
    '"__proto__"',
    '"constructor"',
    '"a"',
    "1",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    '"x"',
    "null",
  );
  const text = fc.oneof(
    fc.array(piece, { maxLength: 12 }).map((parts) => parts.join("")),
    fc.json(),
    fc.string({ unit: "grapheme", maxLength: 60 }),
  );
  fc.assert(
    fc.property(text, (t) => onlyTyped(() => parseFlaskJson(t), FlaskPayloadError)),
    {
      numRuns: fuzzRuns(),
    },
  );
});

test("encode then decode gives back any JSON object without prototype keys", () => {
  const key = fc
    .string({ maxLength: 8 })
    .filter((k) => !["__proto__", "constructor", "prototype"].includes(k));
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("v"), { maxLength: 3 }),
      fc.dictionary(key, tie("v"), { maxKeys: 3, noNullPrototype: true }),
    ),
  })).v;
  fc.assert(
    fc.property(fc.dictionary(key, value, { maxKeys: 5, noNullPrototype: true }), (data) => {
      assert.deepEqual(flask.decode(flask.encode(data)), data);
      assert.equal(typeof dumpFlaskJson(data), "string");
    }),
    { numRuns: fuzzRuns(20_000) },
  );
});

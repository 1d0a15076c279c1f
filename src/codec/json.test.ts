import assert from "node:assert/strict";
import { test } from "node:test";
import { CodecError } from "../errors.ts";
import { decodeJson, encodeJson } from "./json.ts";

test("round-trips session data", () => {
  const data = { a: 1, b: "ü ✓ \u2028", c: [true, null, { d: 1.5 }], e: { f: { g: "h" } } };
  assert.deepEqual(decodeJson(encodeJson(data)), data);
});

test("refuses __proto__, constructor and prototype keys at any depth, however spelled", () => {
  for (const text of [
    '{"__proto__":{"polluted":true}}',
    '{"a":{"b":[{"constructor":{"prototype":{"polluted":true}}}]}}',
    '{"prototype":1}',
    '{"\\u005f_proto__":{"polluted":true}}',
    '{"__pro\\u0074o__":{"polluted":true}}',
  ]) {
    assert.throws(() => decodeJson(text), CodecError, text);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
});

test("the words may appear as values", () => {
  assert.deepEqual(decodeJson('{"a":"__proto__","b":["constructor"],"c":"\\u0041"}'), {
    a: "__proto__",
    b: ["constructor"],
    c: "A",
  });
});

test("refuses invalid JSON, deep nesting and unserialisable values with CodecError", () => {
  assert.throws(
    () => decodeJson("{"),
    (e: unknown) => e instanceof CodecError && e.code === "ERR_CODEC",
  );
  assert.throws(
    () => decodeJson(`${"[".repeat(100)}"\\u0041"${"]".repeat(100)}`),
    /deeper than 64/,
  );
  assert.throws(() => encodeJson({ n: 1n }), CodecError);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => encodeJson(cycle), CodecError);
  assert.throws(() => encodeJson(JSON.parse('{"__proto__":1}')), CodecError);
});

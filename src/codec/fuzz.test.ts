// Property-based tests of the JSON codec: only CodecError escapes, prototypes
// are never polluted, and any JSON value without forbidden keys round-trips.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CodecError } from "../errors.ts";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { decodeJson, encodeJson } from "./json.ts";

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
function hasForbidden(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasForbidden);
  return Object.keys(value).some(
    (k) => FORBIDDEN.has(k) || hasForbidden((value as Record<string, unknown>)[k]),
  );
}

const keyish = fc.constantFrom("__proto__", "constructor", "prototype", "a", "b", "polluted");
const hostile = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue(),
    fc.dictionary(keyish, tie("value"), { maxKeys: 4 }),
    fc.array(tie("value"), { maxLength: 3 }),
  ),
})).value;

test("decodeJson throws only CodecError, on any text", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 80 }), fc.json()), (text) => {
      try {
        decodeJson(text);
      } catch (error) {
        assert.ok(error instanceof CodecError, String(error));
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

test("payloads with prototype keys are refused, others round-trip; nothing is polluted", () => {
  fc.assert(
    fc.property(hostile, (value) => {
      // JSON.parse gives "__proto__" own keys, as an attacker's payload would.
      const text = JSON.stringify(value);
      if (text === undefined) return;
      const parsed = JSON.parse(text);
      if (hasForbidden(parsed)) {
        assert.throws(() => decodeJson(text), CodecError);
        assert.throws(() => encodeJson(parsed), CodecError);
      } else {
        assert.deepEqual(decodeJson(encodeJson(parsed)), parsed);
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getPrototypeOf({}), Object.prototype);
    }),
    { numRuns: fuzzRuns() },
  );
});

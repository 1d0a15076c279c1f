// Property-based tests of the cookie layer: parsing never throws and never
// pollutes, and parse ∘ stringify gives back what was written.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { getAllCookies, getCookie, parseCookie } from "./parse-cookie.ts";
import { parseSetCookie, stringifySetCookie } from "./set-cookie.ts";

const TCHAR = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 16 });
// Headers made of the characters that matter to the parser, and of anything at all.
const header = fc.oneof(
  fc.string({
    unit: fc.constantFrom("a", "b", "=", ";", " ", "\t", "%", "2", "0", '"', "_", "p"),
    maxLength: 40,
  }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }),
);

test("parseCookie never throws, inherits nothing, pollutes nothing, and agrees with getCookie", () => {
  fc.assert(
    fc.property(header, (h) => {
      const cookies = parseCookie(h);
      for (const name of Object.keys(cookies)) {
        assert.equal(getCookie(h, name), cookies[name]);
        assert.equal(getAllCookies(h, name)[0], cookies[name]);
      }
      assert.equal(
        (cookies as Record<string, unknown>).toString,
        Object.hasOwn(cookies, "toString") ? cookies.toString : undefined,
      );
      assert.equal(({} as Record<string, unknown>).a, undefined);
      assert.equal(Object.getPrototypeOf({}), Object.prototype);
    }),
    { numRuns: fuzzRuns() },
  );
});

test("parseCookie(stringifySetCookie(name, value)) gives the value back, for any string value", () => {
  fc.assert(
    fc.property(token, fc.string({ unit: "grapheme", maxLength: 50 }), (name, value) => {
      const pair = stringifySetCookie(name, value);
      assert.equal(parseCookie(pair)[name], value);
      assert.equal(getCookie(`x=1; ${pair}; y=2`, name), name === "x" ? "1" : value);
    }),
    { numRuns: fuzzRuns() },
  );
});

test("parseSetCookie never throws, and round-trips what stringifySetCookie writes", () => {
  fc.assert(
    fc.property(header, (h) => void parseSetCookie(h)),
    { numRuns: fuzzRuns() },
  );
  const options = fc.record(
    {
      maxAge: fc.integer({ min: 0, max: 34_560_000 }),
      path: fc.constantFrom("/", "/app", "/a/b"),
      domain: fc.constantFrom("example.test", "sub.example.test"),
      httpOnly: fc.boolean(),
      secure: fc.constant(true),
      sameSite: fc.constantFrom("lax", "strict", "none"),
      partitioned: fc.boolean(),
      priority: fc.constantFrom("low", "medium", "high"),
    },
    { requiredKeys: ["secure"] },
  );
  fc.assert(
    fc.property(token, fc.string({ maxLength: 40 }), options, (name, value, opts) => {
      fc.pre(!/^__(host|secure)-/i.test(name));
      const parsed = parseSetCookie(stringifySetCookie(name, value, opts as never));
      assert.equal(parsed.name, name);
      assert.equal(parsed.value, value);
      for (const [key, expected] of Object.entries(opts)) {
        if (expected === false) continue;
        assert.equal(parsed[key as keyof typeof parsed], expected, key);
      }
    }),
    { numRuns: fuzzRuns() },
  );
});

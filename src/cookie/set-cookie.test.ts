import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CookieTooLargeError } from "../errors.ts";
import { parseCookie } from "./parse-cookie.ts";
import {
  compileSetCookie,
  deleteCookie,
  parseSetCookie,
  type SetCookieOptions,
  stringifySetCookie,
} from "./set-cookie.ts";

// Peer cases (jshttp/cookie@2 and @0.7, hono, and derived RFC 6265bis cases),
// copied from the shared peer tables into ./fixtures so this repository stands alone.
function fixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8"));
}

interface SerializeCase {
  id: string;
  source: string;
  function: string;
  input: Record<string, unknown>;
  expected?: string;
  roundtrip_expected?: Record<string, string>;
  throws?: string;
  rule?: string;
  count?: number;
  rfc_token?: boolean;
  notes?: string;
}

interface ParseSetCookieCase {
  id: string;
  source: string;
  input: string;
  expected: Record<string, unknown>;
  options?: { decode?: string };
}

const serializeCases = fixture<SerializeCase[]>("cookie-serialize.json");
const parseCases = fixture<ParseSetCookieCase[]>("cookie-parse-set-cookie.json");

const key = (c: SerializeCase) => `${c.function} ${c.id}`;
const DAY = 24 * 60 * 60;
const in401Days = new Date(Date.now() + 401 * DAY * 1000);

// What we do instead, where we deliberately differ from the peer that wrote
// the case: an error (RegExp) or an output (string), and why.
const DIFFERENT: Record<string, { ours: RegExp | string | null; reason: string }> = {};
const nonTokenNames = ',/@[]:{}"<>?\\'.split("").map((ch) => `name-ok:foo${ch}bar`);
for (const id of nonTokenNames) {
  DIFFERENT[`stringifySetCookie ${id}`] = {
    ours: /^argument name is invalid: /,
    reason:
      "cookie@2 writes it, but it is not an RFC 9110 token (rfc_token: false); cookie@0.7.2 refused it and the table recommends refusing on write",
  };
}
for (const id of [
  'identity-value-ok:foo"bar',
  "identity-value-ok:foo,bar",
  "identity-value-ok:foo\\bar",
]) {
  DIFFERENT[`stringifySetCookie ${id}`] = {
    ours: /^argument value is invalid \(after encoding\): /,
    reason:
      "DQUOTE, comma and backslash are not cookie-octets (RFC 6265 §4.1.1); the table recommends encoding them",
  };
}
for (const id of ["maxage:'1000'", "maxage:'0'"]) {
  DIFFERENT[`serialize ${id}`] = {
    ours: /^option maxAge is invalid: "/,
    reason: "cookie@0.7.2 coerced a string; maxAge is a number, as in cookie@2",
  };
}
for (const id of ["maxage:3.14", "maxage:3.99"]) {
  DIFFERENT[`serialize ${id}`] = {
    ours: /^option maxAge is invalid: 3\.\d+$/,
    reason: "cookie@0.7.2 floored a fraction; like cookie@2 we refuse it rather than guess",
  };
}
Object.assign(DIFFERENT, {
  "stringifySetCookie samesite:none": {
    ours: /^option sameSite is invalid: "none" requires secure: true$/,
    reason:
      "browsers ignore a SameSite=None cookie without Secure (RFC 6265bis §5.7), so we refuse to write one (derived:samesite-none-no-secure)",
  },
  "serialize maxage-neg": {
    ours: "great_cookie=banana; Max-Age=0",
    reason:
      "hono drops a negative Max-Age, which turns a deletion into a session cookie; delta-seconds <= 0 means expire now (RFC 6265bis §5.6.2), written as 0",
  },
  "serialize maxage-401d": {
    ours: "great_cookie=banana; Max-Age=34560000",
    reason:
      "clamped to 400 days rather than thrown: browsers clamp there anyway (RFC 6265bis §5.6.2)",
  },
  "serialize expires-401d": {
    ours: `great_cookie=banana; Expires=${in401Days.toUTCString()}`,
    reason:
      "written as given: browsers cap Expires at 400 days themselves, and capping here would put the clock into a pure serializer; prefer maxAge, which we clamp",
  },
  "serializeSetCookie (ours) derived:dup-set-cookie": {
    ours: null,
    reason:
      "one Set-Cookie per name per response is the response's business: the manager's commit() owns the response and collapses writes; this module serializes one cookie",
  },
});

// The derived cases expect "<library-specific validation error>": ours.
const DERIVED: Record<string, RegExp | string | typeof CookieTooLargeError> = {
  "derived:host-no-secure": /"__Host-", which requires secure: true/,
  "derived:host-with-domain": /"__Host-", which requires no domain/,
  "derived:host-bad-path": /"__Host-", which requires path: "\/"/,
  "derived:host-no-path": /"__Host-", which requires path: "\/"/,
  "derived:secure-prefix-no-secure": /"__Secure-", which requires secure: true/,
  "derived:host-prefix-case": /^argument name is invalid: "__HOST-sid" starts with "__Host-"/,
  "derived:samesite-none-no-secure": /^option sameSite is invalid: "none" requires secure: true$/,
  "derived:nameless": /^argument name is invalid: ""$/,
  "derived:too-big": CookieTooLargeError,
  "derived:attr-too-big": /^option path is invalid: "\/a{1024}"$/,
  "derived:maxage-over-400d": "sid=x; Max-Age=34560000",
};

// The table spells values JSON can't hold: dates, Infinity, functions, long strings.
const ENCODERS: Record<string, unknown> = {
  identity: (value: string) => value,
  base64: (value: string) => Buffer.from(value).toString("base64"),
  "v => '['+v+']'": (value: string) => `[${value}]`,
  "() => 'invalid value'": () => "invalid value",
};

function materialise(field: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && "$date" in value) {
    return new Date(value.$date as string);
  }
  if (field === "expires" && value === "now + 401 days") return in401Days;
  if (field === "maxAge" && value === "Infinity") return Number.POSITIVE_INFINITY;
  if (field === "encode" && typeof value === "string") return ENCODERS[value];
  if (typeof value === "string") {
    return value.replace(/<(\d+) '(.)'>/g, (_, n: string, ch: string) => ch.repeat(Number(n)));
  }
  return value;
}

function optionsOf(fields: Record<string, unknown>): SetCookieOptions {
  const options: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) options[field] = materialise(field, value);
  return options as SetCookieOptions;
}

// The peer's error wording, mapped onto ours ("kind field is invalid: …").
// jshttp names the value argument "val" (ours is "value"), stringifyCookie says
// "cookie" for "argument"; hono words its messages differently.
function ourError(message: string): RegExp {
  const jshttp = /^(argument|option|cookie) (\w+) is invalid$/.exec(message);
  if (jshttp) {
    const kind = jshttp[1] === "option" ? "option" : "argument";
    const field = jshttp[2] === "val" ? "value" : jshttp[2];
    return new RegExp(`^${kind} ${field} is invalid`);
  }
  if (message === "Invalid cookie name") return /^argument name is invalid: /;
  const hono = /^(\w+) must not contain/.exec(message);
  if (hono) return new RegExp(`^option ${hono[1]} is invalid: `);
  if (message === "Partitioned Cookie must have Secure attributes") {
    return /^option partitioned is invalid: true requires secure: true$/;
  }
  throw new Error(`no mapping for the peer error ${JSON.stringify(message)}`);
}

// stringifyCookie builds a Cookie request header from pairs; each of its pairs
// is exactly what stringifySetCookie writes before the attributes (same name
// check, same default encoder), so the cases run through it, joined by "; ".
function cookieHeader(input: Record<string, unknown>): string {
  const { options, ...pairs } = input;
  const encode = optionsOf((options ?? {}) as Record<string, unknown>).encode;
  return Object.entries(pairs)
    .filter(([, value]) => value != null)
    .map(([name, value]) => stringifySetCookie(name, value as string, { encode }))
    .join("; ");
}

function run(c: SerializeCase): () => string {
  switch (c.function) {
    case "stringifySetCookie":
    case "serialize":
    case "serializeSetCookie (ours)": {
      const { name, value, options, ...fields } = c.input;
      const all = optionsOf({ ...fields, ...(options as Record<string, unknown> | undefined) });
      return () => stringifySetCookie(name as string, materialise("value", value) as string, all);
    }
    case "setCookie": {
      // hono's `prefix` option adds the prefix and its attributes for you; here the
      // caller names the cookie and sets them, and the prefix rules check them.
      const { name, value, prefix } = c.input;
      const full = `${prefix === "host" ? "__Host-" : "__Secure-"}${name as string}`;
      return () => stringifySetCookie(full, value as string, { path: "/", secure: true });
    }
    case "stringifyCookie":
    case "stringifyCookie->parseCookie":
      return () => cookieHeader(c.input);
    default:
      throw new Error(`unknown function ${c.function}`);
  }
}

for (const [index, c] of serializeCases.entries()) {
  test(`peer serialize #${index} ${c.function} ${c.id} (${c.source.split(" ")[0]})`, (t) => {
    const different = DIFFERENT[key(c)];
    if (different) {
      if (different.ours === null) return t.skip(different.reason);
      if (typeof different.ours === "string")
        assert.equal(run(c)(), different.ours, different.reason);
      else assert.throws(run(c), { name: "TypeError", message: different.ours }, different.reason);
      return;
    }
    if (c.rule !== undefined) return everyBmpCharacter(c);
    if (c.function === "serializeSetCookie (ours)") {
      const ours = DERIVED[c.id];
      assert.ok(ours, `case ${c.id} needs an entry in DERIVED`);
      if (typeof ours === "string") assert.equal(run(c)(), ours);
      else if (ours === CookieTooLargeError) assert.throws(run(c), CookieTooLargeError);
      else assert.throws(run(c), { name: "TypeError", message: ours as RegExp });
      return;
    }
    if (c.throws !== undefined) {
      assert.throws(run(c), { name: "TypeError", message: ourError(c.throws) });
      return;
    }
    const output = run(c)();
    if (c.expected !== undefined) assert.equal(output, c.expected);
    if (c.roundtrip_expected !== undefined) {
      assert.deepEqual({ ...parseCookie(output) }, c.roundtrip_expected);
    }
    assert.ok(c.expected !== undefined || c.roundtrip_expected !== undefined, "nothing asserted");
  });
}

// rule:bmp: every BMP code point but the surrogates, one at a time, is kept
// when it is a cookie-octet other than "%" and percent-encoded otherwise.
function everyBmpCharacter(c: SerializeCase): void {
  const octets =
    "!#$&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
  let count = 0;
  for (let code = 0; code <= 0xffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const ch = String.fromCharCode(code);
    const expected = `key=${octets.includes(ch) ? ch : encodeURIComponent(ch)}`;
    assert.equal(stringifySetCookie("key", ch), expected, `U+${code.toString(16)}`);
    assert.equal(parseCookie(expected).key, ch, `U+${code.toString(16)} read back`);
    count++;
  }
  assert.equal(count, c.count);
}

test("every deliberate difference names a case in the table", () => {
  const keys = new Set(serializeCases.map(key));
  for (const k of Object.keys(DIFFERENT)) assert.ok(keys.has(k), k);
  const ids = new Set(serializeCases.map((c) => c.id));
  for (const id of Object.keys(DERIVED)) assert.ok(ids.has(id), id);
  // The non-token names are exactly the ones the table marks rfc_token: false.
  const marked = serializeCases.filter((c) => c.rfc_token === false).map((c) => c.id);
  assert.deepEqual(marked.sort(), [...nonTokenNames].sort());
});

// Set-Cookie parsing: where we differ, and why.
const PARSE_DIFFERENT: Record<string, { ours: Record<string, unknown>; reason: string }> = {
  "custom-decode": {
    ours: { name: "key", value: "value-with-dashes" },
    reason: "parseSetCookie has no decode option; decoding a value is the codec's job",
  },
};

function revive(expected: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(expected).map(([field, value]) => [field, materialise(field, value)]),
  );
}

for (const [index, c] of parseCases.entries()) {
  test(`peer parseSetCookie #${index} ${c.id}`, () => {
    const different = PARSE_DIFFERENT[c.id];
    if (different) {
      assert.deepEqual(parseSetCookie(c.input), different.ours, different.reason);
      return;
    }
    assert.equal(c.options, undefined, `case ${c.id} needs an entry in PARSE_DIFFERENT`);
    assert.deepEqual(parseSetCookie(c.input), revive(c.expected));
  });
}

// Our own cases.

test("errors name the field and show the value", () => {
  assert.throws(() => stringifySetCookie("a b", "x"), {
    name: "TypeError",
    message: 'argument name is invalid: "a b"',
  });
  assert.throws(() => stringifySetCookie("a", "x", { maxAge: 1.5 }), {
    name: "TypeError",
    message: "option maxAge is invalid: 1.5",
  });
  assert.throws(() => stringifySetCookie("a", "x", { maxAge: Number.NaN }), {
    message: "option maxAge is invalid: NaN",
  });
  assert.throws(() => stringifySetCookie("a", "x", { expires: new Date("nope") }), {
    message: "option expires is invalid: Invalid Date",
  });
  assert.throws(() => stringifySetCookie("a", "x", { expires: new Date("1600-12-31T00:00:00Z") }), {
    message: /^option expires is invalid: 1600-12-31/,
  });
  assert.throws(() => stringifySetCookie("a", 42 as unknown as string), {
    message: "argument value is invalid: 42",
  });
  assert.throws(() => stringifySetCookie("a", "\ud800"), {
    message: /^argument value is invalid \(not well-formed Unicode\)/,
  });
  assert.throws(() => stringifySetCookie("a", "x", { domain: "a..b" }), {
    message: 'option domain is invalid: "a..b"',
  });
  assert.throws(() => stringifySetCookie("a", "x", { sameSite: "Lax;x" as "lax" }), {
    message: 'option sameSite is invalid: "Lax;x"',
  });
});

test("the default encoder round-trips through parseCookie", () => {
  for (const value of [
    "",
    "plain",
    "a b",
    "100%",
    "%20",
    '"quoted"',
    "a;b,c\\d",
    "✓ é 😄",
    "x=y&z",
  ]) {
    const header = stringifySetCookie("v", value);
    assert.equal(parseCookie(header).v, value, value);
    assert.equal(parseSetCookie(header).value, value, value);
  }
  // A DQUOTE-wrapped cookie-value is valid grammar (RFC 6265 §4.1.1) when written as is.
  assert.equal(stringifySetCookie("v", '"abc"', { encode: (v) => v }), 'v="abc"');
});

test("prefixes: __Secure- needs Secure; __Host- needs Secure, Path=/ and no Domain", () => {
  assert.equal(
    stringifySetCookie("__Secure-id", "1", { secure: true, domain: "example.com" }),
    "__Secure-id=1; Domain=example.com; Secure",
  );
  assert.equal(
    stringifySetCookie("__Host-id", "1", { secure: true, path: "/" }),
    "__Host-id=1; Path=/; Secure",
  );
  const refused: [string, SetCookieOptions, RegExp][] = [
    ["__Secure-id", {}, /"__Secure-", which requires secure: true/],
    ["__secure-id", { secure: false }, /"__Secure-", which requires secure: true/],
    ["__SECURE-id", {}, /"__Secure-", which requires secure: true/],
    ["__Host-id", { path: "/" }, /"__Host-", which requires secure: true/],
    ["__host-id", { secure: true }, /"__Host-", which requires path: "\/"/],
    ["__HoSt-id", { secure: true, path: "/app" }, /"__Host-", which requires path: "\/"/],
    [
      "__Host-id",
      { secure: true, path: "/", domain: "example.com" },
      /"__Host-", which requires no domain/,
    ],
  ];
  for (const [name, options, message] of refused) {
    assert.throws(
      () => stringifySetCookie(name, "1", options),
      { name: "TypeError", message },
      name,
    );
  }
  // Only the exact prefixes count.
  assert.equal(stringifySetCookie("__Hostname", "1"), "__Hostname=1");
  assert.equal(stringifySetCookie("_Host-x", "1"), "_Host-x=1");
  assert.equal(stringifySetCookie("__Secure", "1"), "__Secure=1");
});

test("SameSite=None and Partitioned need Secure", () => {
  assert.throws(() => stringifySetCookie("a", "1", { sameSite: "None" }), {
    message: 'option sameSite is invalid: "None" requires secure: true',
  });
  assert.throws(() => stringifySetCookie("a", "1", { partitioned: true, secure: false }), {
    message: "option partitioned is invalid: true requires secure: true",
  });
  assert.equal(
    stringifySetCookie("a", "1", { sameSite: "none", partitioned: true, secure: true }),
    "a=1; Secure; SameSite=None; Partitioned",
  );
});

test("Max-Age: capped at 400 days, and anything not positive is written as 0", () => {
  const cap = 400 * DAY;
  assert.equal(cap, 34_560_000);
  assert.equal(stringifySetCookie("a", "1", { maxAge: cap }), "a=1; Max-Age=34560000");
  assert.equal(stringifySetCookie("a", "1", { maxAge: cap + 1 }), "a=1; Max-Age=34560000");
  assert.equal(stringifySetCookie("a", "1", { maxAge: 10 * 365 * DAY }), "a=1; Max-Age=34560000");
  assert.equal(stringifySetCookie("a", "1", { maxAge: 0 }), "a=1; Max-Age=0");
  assert.equal(stringifySetCookie("a", "1", { maxAge: -1 }), "a=1; Max-Age=0");
  assert.equal(stringifySetCookie("a", "1", { maxAge: 1 }), "a=1; Max-Age=1");
  for (const bad of [Number.POSITIVE_INFINITY, 2 ** 53, 0.5, "60"]) {
    assert.throws(
      () => stringifySetCookie("a", "1", { maxAge: bad as number }),
      /^TypeError: option maxAge/,
    );
  }
});

test("name + value over 4096 bytes throws CookieTooLargeError with the size", () => {
  assert.equal(stringifySetCookie("n", "v".repeat(4095)).length, 4097);
  assert.throws(
    () => stringifySetCookie("n", "v".repeat(4096)),
    (error: unknown) =>
      error instanceof CookieTooLargeError &&
      error.size === 4097 &&
      error.limit === 4096 &&
      error.code === "ERR_COOKIE_TOO_LARGE" &&
      error.message.includes("4097 bytes") &&
      error.message.includes('"n"'),
  );
  // The size is measured after encoding: a space costs three bytes.
  assert.throws(
    () => stringifySetCookie("n", " ".repeat(1400)),
    (error: unknown) => error instanceof CookieTooLargeError && error.size === 1 + 4200,
  );
  // Attributes do not count towards the 4096 (the browser limits them separately).
  const header = stringifySetCookie("n", "v".repeat(4095), { path: "/", secure: true, maxAge: 60 });
  assert.ok(header.length > 4096);
});

test("deleteCookie repeats the attributes with an empty value, Max-Age=0 and Expires in 1970", () => {
  assert.equal(deleteCookie("sid"), "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  const options: SetCookieOptions = {
    domain: "example.com",
    path: "/app",
    secure: true,
    httpOnly: true,
    sameSite: "none",
    partitioned: true,
    maxAge: 3600,
    expires: new Date("2030-01-01T00:00:00Z"),
    encode: (value) => `[${value}]`,
    priority: "high",
  };
  assert.equal(
    deleteCookie("sid", options),
    "sid=; Max-Age=0; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None; Partitioned",
  );
  assert.equal(
    deleteCookie("__Host-sid", { path: "/", secure: true, httpOnly: true, sameSite: "lax" }),
    "__Host-sid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax",
  );
  // The rules still hold: a __Host- deletion without its attributes would be ignored.
  assert.throws(() => deleteCookie("__Host-sid"), /"__Host-", which requires secure: true/);
  assert.throws(() => deleteCookie("bad name"), /^TypeError: argument name is invalid/);
  const parsed = parseSetCookie(deleteCookie("sid", { path: "/" }));
  assert.equal(parsed.value, "");
  assert.equal(parsed.maxAge, 0);
  assert.equal(parsed.expires?.getTime(), 0);
});

test("stringifySetCookie and parseSetCookie agree on every attribute", () => {
  const expires = new Date("2030-06-01T12:00:00Z");
  const header = stringifySetCookie("__Secure-pref", "a b", {
    domain: "example.com",
    path: "/x",
    expires,
    maxAge: 60,
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    priority: "Low",
    partitioned: true,
  });
  assert.equal(
    header,
    "__Secure-pref=a%20b; Max-Age=60; Domain=example.com; Path=/x; Expires=Sat, 01 Jun 2030 12:00:00 GMT; HttpOnly; Secure; SameSite=Strict; Priority=Low; Partitioned",
  );
  assert.deepEqual(parseSetCookie(header), {
    name: "__Secure-pref",
    value: "a b",
    domain: "example.com",
    path: "/x",
    expires,
    maxAge: 60,
    httpOnly: true,
    secure: true,
    sameSite: "strict",
    priority: "low",
    partitioned: true,
  });
});

test("parseSetCookie never throws", () => {
  for (const input of [
    "",
    ";",
    "=;=;=",
    "a=b; Max-Age=; Expires=; SameSite; Priority",
    "a=%ZZ",
    "\u0000",
  ]) {
    assert.doesNotThrow(() => parseSetCookie(input));
  }
  assert.deepEqual(parseSetCookie(undefined as unknown as string), { name: "", value: "" });
  assert.deepEqual(parseSetCookie("a=%ZZ; Domain=; Path="), { name: "a", value: "%ZZ" });
  assert.deepEqual(parseSetCookie("a=1; Max-Age=-"), { name: "a", value: "1" });
});

describe("compileSetCookie", () => {
  const optionSets: SetCookieOptions[] = [
    {},
    { path: "/", secure: true, httpOnly: true, sameSite: "lax" },
    { domain: "example.com", path: "/app", sameSite: "strict", priority: "high" },
    { secure: true, sameSite: "none", partitioned: true, expires: new Date(0) },
  ];
  const octets = fc.string({
    unit: fc.constantFrom(..."!#$&'()*+-./0123456789:<=>?@AZaz[]^_`{|}~".split("")),
    maxLength: 200,
  });

  test("writes what stringifySetCookie writes, for any cookie-octet value and Max-Age", () => {
    for (const options of optionSets) {
      const compiled = compileSetCookie("__Secure-x", { ...options, secure: true });
      fc.assert(
        fc.property(
          octets,
          fc.option(fc.integer({ min: -5, max: 40_000_000 })),
          (value, maxAge) => {
            const expected = stringifySetCookie("__Secure-x", value, {
              ...options,
              secure: true,
              ...(maxAge === null ? {} : { maxAge }),
            });
            assert.equal(compiled(value, maxAge ?? undefined), expected);
          },
        ),
        { numRuns: 500 },
      );
    }
  });

  test("checks the options once, and each value and size on every call", () => {
    assert.throws(() => compileSetCookie("__Host-x", { secure: true, path: "/a" }), TypeError);
    assert.throws(() => compileSetCookie("bad name"), TypeError);
    const compiled = compileSetCookie("s", { path: "/" });
    for (const value of ["a b", "a;b", 'a"b', "a,b", "a\\b", "é", "\u0000", "100%"]) {
      assert.throws(() => compiled(value), /argument value is invalid/, JSON.stringify(value));
    }
    assert.throws(() => compiled(1 as unknown as string), TypeError);
    assert.throws(() => compiled("v", 1.5), /option maxAge is invalid/);
    assert.throws(() => compiled("v".repeat(4096)), CookieTooLargeError);
    assert.equal(compiled("v".repeat(4095)).length, 1 + 1 + 4095 + "; Path=/".length);
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { countCookie, getAllCookies, getCookie, parseCookie } from "./parse-cookie.ts";

// Peer cases (jshttp/cookie, hono, and derived security cases), copied from the
// shared peer tables into ./fixtures so this repository stands alone.
interface ParseCase {
  id: string;
  source: string;
  input: unknown;
  expected?: Record<string, string>;
  expected_partial?: Record<string, string>;
  absent_keys?: string[];
  options?: { name?: string; decode?: string };
  throws?: string;
  notes?: string;
}

const cases: ParseCase[] = JSON.parse(
  readFileSync(new URL("./fixtures/cookie-parse.json", import.meta.url), "utf8"),
);

// Cases where we deliberately read differently from the peer that wrote them:
// what we return instead, and why. Every other case is asserted as written.
const DIFFERENT: Record<string, { expected: Record<string, string>; reason: string }> = {
  "decode-base64": {
    expected: { foo: '"YmFy"' },
    reason: "parseCookie has no decode option; decoding a value is the codec's job",
  },
  "decode-undefined-skips-dup": {
    expected: { foo: "bar" },
    reason: "parseCookie has no decode option, so the first pair simply wins",
  },
  "quoted-stripped-1": {
    expected: { foo: '"bar"' },
    reason: "cookie@0.7.2 stripped DQUOTEs; cookie@2 and RFC 6265bis keep them (quoted-kept-v2)",
  },
  "quoted-stripped-2": {
    expected: { foo: '" a b c "' },
    reason: "cookie@0.7.2 stripped DQUOTEs; cookie@2 and RFC 6265bis keep them",
  },
  "non-string-throws": {
    expected: {},
    reason: "reading never throws: a header that is not a string holds no cookies",
  },
  "hono-quoted": {
    expected: { yummy_cookie: '"choco"', tasty_cookie: '" strawberry "', best_cookie: '" sugar "' },
    reason: "hono strips DQUOTEs before decoding; we keep them, as cookie@2 does",
  },
  "hono-bad-escape": {
    expected: { yummy_cookie: '"choco%2"' },
    reason: "same raw value kept on a bad escape; only the DQUOTEs differ (kept, as cookie@2)",
  },
  "hono-empty-values": {
    expected: { yummy_cookie: "", tasty_cookie: "", best_cookie: "", last_cookie: '""' },
    reason: 'DQUOTEs are kept, so "" is a two-character value',
  },
  "hono-invalid-names": {
    expected: {
      yummy_cookie: "choco",
      "tasty cookie": "strawberry",
      "best_cookie\\": "sugar",
      "": "ng",
    },
    reason:
      "hono drops names that are not tokens; like cookie@2 we keep every name on read (they can never equal a token name we write, and the nameless one sits under '')",
  },
  "hono-nonascii-ctl-names": {
    expected: { yummy_cookie: "choco", クッキー: "strawberry", "bad\u0001name": "sugar" },
    reason: "hono drops non-token names; we keep them as distinct keys, as cookie@2 does",
  },
  "hono-invalid-values": {
    expected: { yummy_cookie: "choco\\nchip", tasty_cookie: "strawberry", best_cookie: '"sugar' },
    reason:
      "hono drops values with a backslash or an open quote; reading stays lenient, as cookie@2",
  },
  "hono-nbsp-all": {
    expected: { "dummy-cookie": "victim", "\u00a0dummy-cookie": "evil" },
    reason:
      "the U+00A0 name is kept under its own key rather than dropped; it is never trimmed, so it cannot shadow dummy-cookie, which is what the case protects",
  },
};

function header(input: unknown): string {
  // RFC 6265bis §4.2.1: several Cookie fields (HTTP/2 and 3 split them) are one list joined by "; ".
  return Array.isArray(input) ? input.join("; ") : (input as string);
}

// A plain copy, so deepEqual compares keys and values and not the prototype.
function plain(cookies: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(cookies));
}

for (const [index, c] of cases.entries()) {
  const different = DIFFERENT[c.id];
  test(`peer parse #${index} ${c.id} (${c.source.split(" ")[0]})`, () => {
    const input = header(c.input);
    if (different) {
      assert.deepEqual(plain(parseCookie(input)), different.expected, different.reason);
      return;
    }
    if (c.options?.decode !== undefined || c.throws !== undefined) {
      assert.fail(`case ${c.id} needs an entry in DIFFERENT`);
    }
    const name = c.options?.name;
    if (name !== undefined) {
      // A lookup by name (hono's parse(header, name)) is our getCookie. It returns
      // one value, so the other names (absent_keys) are left out by construction.
      assert.equal(getCookie(input, name), c.expected?.[name]);
      return;
    }
    const cookies = parseCookie(input);
    if (c.expected) assert.deepEqual(plain(cookies), c.expected);
    for (const [key, value] of Object.entries(c.expected_partial ?? {})) {
      assert.equal(cookies[key], value, key);
    }
    for (const absent of c.absent_keys ?? []) {
      assert.equal(Object.hasOwn(cookies, absent), false, absent);
    }
  });
}

test("every deliberate difference names a case in the table", () => {
  const ids = new Set(cases.map((c) => c.id));
  for (const id of Object.keys(DIFFERENT)) assert.ok(ids.has(id), id);
});

test("getCookie, getAllCookies and countCookie agree with parseCookie on every table header", () => {
  for (const c of cases) {
    if (typeof c.input !== "string" && !Array.isArray(c.input)) continue;
    const input = header(c.input);
    const cookies = parseCookie(input);
    let pairs = 0;
    for (const [name, value] of Object.entries(cookies)) {
      assert.equal(getCookie(input, name), value, `${c.id}: ${name}`);
      const count = countCookie(input, name);
      assert.ok(count >= 1, `${c.id}: ${name}`);
      const all = getAllCookies(input, name);
      assert.equal(all.length, count, `${c.id}: ${name}`);
      assert.equal(all[0], value, `${c.id}: ${name}`);
      pairs += count;
    }
    // Every piece holding "=" is one pair, counted under exactly one name.
    const expectedPairs = input.split(";").filter((piece) => piece.includes("=")).length;
    assert.equal(pairs, expectedPairs, c.id);
    for (const absent of [...(c.absent_keys ?? []), "missing", " foo", "foo=", "a;b"]) {
      if (Object.hasOwn(cookies, absent)) continue;
      assert.equal(getCookie(input, absent), undefined, `${c.id}: ${absent}`);
      assert.equal(countCookie(input, absent), 0, `${c.id}: ${absent}`);
      assert.deepEqual(getAllCookies(input, absent), [], `${c.id}: ${absent}`);
    }
  }
});

test("__proto__, constructor and friends are plain names; Object.prototype is untouched", () => {
  const cookies = parseCookie("__proto__=x; constructor=y; toString=z; polluted=1");
  const proto = "__proto__";
  assert.equal(cookies[proto], "x");
  assert.equal(cookies.constructor, "y");
  assert.equal(cookies.toString, "z");
  assert.equal(Object.hasOwn(cookies, "__proto__"), true);
  assert.deepEqual(Object.keys(cookies), ["__proto__", "constructor", "toString", "polluted"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(Object.prototype, "polluted"), false);
  assert.equal(Object.hasOwn(Object.prototype, "x"), false);

  const nothing = parseCookie("a=1");
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
    assert.equal(nothing[name], undefined, name);
    assert.equal(getCookie("a=1", name), undefined, name);
  }
  // Nothing is inherited, and the one shared prototype cannot be written to.
  const shared = Object.getPrototypeOf(nothing);
  assert.equal(Object.getPrototypeOf(shared), null);
  assert.deepEqual(Reflect.ownKeys(shared), []);
  assert.equal(Object.isFrozen(shared), true);
  assert.equal(getCookie("__proto__=x", "__proto__"), "x");
});

test("duplicate names: the first wins, and countCookie sees them all", () => {
  const input = "sid=path-specific; theme=dark; sid=from-parent-domain; sid=third";
  assert.equal(parseCookie(input).sid, "path-specific");
  assert.equal(getCookie(input, "sid"), "path-specific");
  assert.equal(countCookie(input, "sid"), 3);
  assert.equal(countCookie(input, "theme"), 1);
  // A name inside a value, or as part of a longer name, is not a pair.
  assert.equal(countCookie("x=sid=1; xsid=2; sidx=3; sid =4", "sid"), 1);
  assert.equal(getCookie("x=sid=1; xsid=2; sidx=3; sid =4", "sid"), "4");
});

test("trimming is SP and HTAB only; names are never decoded", () => {
  assert.deepEqual(plain(parseCookie("\t a \t=\t 1 \t;b=2")), { a: "1", b: "2" });
  assert.deepEqual(plain(parseCookie("\u00a0a=1")), { "\u00a0a": "1" });
  assert.equal(getCookie("\u00a0a=1", "a"), undefined);
  assert.deepEqual(plain(parseCookie("%61=%62")), { "%61": "b" });
  assert.equal(getCookie("%61=%62", "a"), undefined);
});

test("decoding: only with a %, only when valid", () => {
  assert.equal(getCookie("a=%E2%9C%93", "a"), "✓");
  assert.equal(getCookie("a=100%", "a"), "100%");
  assert.equal(getCookie("a=%E2%9C", "a"), "%E2%9C");
  assert.equal(getCookie("a=a+b", "a"), "a+b");
  // The "%" of one value must not make a later value look encoded, nor the reverse.
  assert.deepEqual(plain(parseCookie("a=%41; b=x; c=%; d=%42")), {
    a: "A",
    b: "x",
    c: "%",
    d: "B",
  });
});

test("missing, empty and odd headers never throw", () => {
  for (const input of [undefined, null, "", ";", ";;;", "=", "a", "a;b;c", "==", 42, {}]) {
    assert.doesNotThrow(() => parseCookie(input as string));
    assert.equal(getCookie(input as string, "a"), undefined);
    assert.equal(countCookie(input as string, "a"), 0);
  }
  assert.deepEqual(plain(parseCookie("=")), { "": "" });
  assert.equal(getCookie("a=1", undefined as unknown as string), undefined);
});

test("the nameless pair is reachable only under ''", () => {
  const input = "=__Host-sid=evil; __Host-sid=good; =second";
  assert.equal(getCookie(input, ""), "__Host-sid=evil");
  assert.equal(countCookie(input, ""), 2);
  assert.equal(getCookie(input, "__Host-sid"), "good");
  assert.equal(countCookie(input, "__Host-sid"), 1);
});

test("getAllCookies gives every value of a repeated name in header order", () => {
  assert.deepEqual(getAllCookies("sid=a; theme=dark; sid=b%20c;sid = d ", "sid"), [
    "a",
    "b c",
    "d",
  ]);
  assert.deepEqual(getAllCookies("xsid=a; sid_=b", "sid"), []);
  assert.deepEqual(getAllCookies(undefined, "sid"), []);
});

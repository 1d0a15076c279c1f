import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FlaskPayloadError } from "./errors.ts";
import { dumpFlaskJson, dumpFlaskJsonView, httpDate, parseFlaskJson, pyFloat } from "./json.ts";
import { FlaskFloat, FlaskTuple, Markup, UUID } from "./values.ts";

describe("pyFloat: Python's repr(float)", () => {
  // Expected strings are Python 3.11's repr / json.dumps output.
  const cases: [number, string][] = [
    [0.1, "0.1"],
    [-0.1, "-0.1"],
    [1.5, "1.5"],
    [3, "3.0"],
    [0, "0.0"],
    [-0, "-0.0"],
    [1e15, "1000000000000000.0"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [9999999999999998, "9999999999999998.0"],
    [123456789012345680, "1.2345678901234568e+17"],
    [0.0001, "0.0001"],
    [0.00012345, "0.00012345"],
    [1e-5, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [1 / 3, "0.3333333333333333"],
    [2 / 3, "0.6666666666666666"],
    [100.25, "100.25"],
    [1e22, "1e+22"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ];
  for (const [x, expected] of cases) {
    test(`${expected}`, () => assert.equal(pyFloat(x), expected));
  }
});

describe("dumpFlaskJson", () => {
  test("compact, keys sorted, ints and floats as Python writes them", () => {
    assert.equal(
      dumpFlaskJson({ b: 1, a: [true, null, -5, 0.5, 2 ** 70, 12345678901234567890n] }),
      '{"a":[true,null,-5,0.5,1180591620717411303424,12345678901234567890],"b":1}',
    );
    assert.equal(dumpFlaskJson({ f: new FlaskFloat(2), z: -0 }), '{"f":2.0,"z":-0.0}');
  });

  test("ensure_ascii: \\uXXXX in lowercase hex, astral characters as surrogate pairs", () => {
    assert.equal(
      dumpFlaskJson({ s: 'é\u2028😀"\\\n\t\b\f\r\u0001\u007f/\ud800' }),
      '{"s":"\\u00e9\\u2028\\ud83d\\ude00\\"\\\\\\n\\t\\b\\f\\r\\u0001\\u007f/\\ud800"}',
    );
  });

  // json.dumps(ensure_ascii=True, sort_keys=True), written independently:
  // JSON.stringify's escapes with every unit above 0x7e as \uXXXX, and keys
  // ordered by code point.
  const pyQuote = (s: string) =>
    JSON.stringify(s).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  const byCodePoint = (a: string, b: string) => {
    const [pa, pb] = [Array.from(a), Array.from(b)];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const d = pa[i]!.codePointAt(0)! - pb[i]!.codePointAt(0)!;
      if (d !== 0) return d;
    }
    return pa.length - pb.length;
  };
  const pool = [
    "a",
    "b",
    "Z",
    "0",
    " ",
    '"',
    "\\",
    "\n",
    "\u0000",
    "\u001f",
    "\u007f",
    "é",
    "ÿ",
    "\u0100",
    "漢",
    "\ud7ff",
    "\ud800",
    "\udfff",
    "\ue000",
    "\uffff",
    "😀",
    "\ud83d",
  ];
  let state = 7;
  const pick = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const randomText = () => Array.from({ length: pick(12) }, () => pool[pick(pool.length)]).join("");

  test("strings and keys: json.dumps' escapes and order, for random text and dicts of every size", () => {
    for (let round = 0; round < 400; round++) {
      const entries = new Map<string, string>();
      const size = round % 50 === 0 ? 40 : pick(20);
      while (entries.size < size) entries.set(randomText(), randomText());
      const keys = [...entries.keys()].filter(
        (k) => !["__proto__", "constructor", "prototype"].includes(k),
      );
      const data = Object.fromEntries(keys.map((k) => [k, entries.get(k)]));
      const expected = `{${keys
        .sort(byCodePoint)
        .map((k) => `${pyQuote(k)}:${pyQuote(entries.get(k)!)}`)
        .join(",")}}`;
      // A dict of one key that is a tag would be escaped: leave those out.
      if (keys.length === 1 && keys[0]!.startsWith(" ")) continue;
      assert.equal(dumpFlaskJson(data), expected, `round ${round}`);
    }
  });

  test("enumerable properties added to Object.prototype change neither writing nor reading", () => {
    const data = { b: [new FlaskTuple("message", "Hi")], a: { x: 1 }, " t": 2 };
    const text = dumpFlaskJson(data);
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.polluted = 1;
      assert.equal(dumpFlaskJson(data), text);
      assert.equal(dumpFlaskJson({ only: { " t": [1] } }), '{"only":{" di":{" t__":[1]}}}');
      const parsed = parseFlaskJson(text) as Record<string, unknown>;
      assert.ok(Array.isArray(parsed.b) && parsed.b[0] instanceof FlaskTuple);
      assert.deepEqual(Object.keys(parsed), [" t", "a", "b"]);
    } finally {
      delete proto.polluted;
    }
  });

  test("keys sort by code point, not by UTF-16 unit", () => {
    // UTF-16 order would put "😀" (D83D…) before "\uffff".
    assert.equal(
      dumpFlaskJson({ "😀": 2, "\uffff": 1, "\ud800": 3, b: 0, a: 0 }),
      '{"a":0,"b":0,"\\ud800":3,"\\uffff":1,"\\ud83d\\ude00":2}',
    );
  });

  test("every tag", () => {
    const data = {
      t: new FlaskTuple(1, "a"),
      b: new Uint8Array([0xff, 0, 1]),
      m: new Markup("<em>x</em>"),
      u: new UUID("12345678-1234-5678-1234-567812345678"),
      d: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)),
      di: { " t": [1] },
      dd: { " di": 1 },
    };
    assert.equal(
      dumpFlaskJson(data),
      '{"b":{" b":"/wAB"},"d":{" d":"Wed, 02 Jan 2030 03:04:05 GMT"},"dd":{" di":{" di__":1}},"di":{" di":{" t__":[1]}},"m":{" m":"<em>x</em>"},"t":{" t":[1,"a"]},"u":{" u":"12345678123456781234567812345678"}}',
    );
  });

  test("an object with __html__ is Markup; undefined properties are left out", () => {
    class Html {
      __html__() {
        return "<b>";
      }
    }
    const html = new Html();
    assert.equal(dumpFlaskJson({ h: html, gone: undefined }), '{"h":{" m":"<b>"}}');
    // After dropping undefined, a single tag key must still be escaped.
    assert.equal(dumpFlaskJson({ x: { " t": 1, y: undefined } }), '{"x":{" di":{" t__":1}}}');
  });

  test("dumpFlaskJsonView writes the same text as bytes, for large data and many keys too", () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i]));
    const large = {
      text: "x".repeat(100_000),
      list: Array.from({ length: 5000 }, (_, i) => [i, `é${i}`]),
    };
    for (const data of [{}, { a: "b" }, many, large, { a: new FlaskTuple(1, "é") }]) {
      const text = dumpFlaskJson(data);
      assert.equal(Buffer.from(dumpFlaskJsonView(data)).toString("latin1"), text);
    }
    assert.equal(
      dumpFlaskJson(many),
      JSON.stringify(Object.fromEntries(Object.entries(many).sort(([a], [b]) => (a < b ? -1 : 1)))),
    );
  });

  test("user code that dumps JSON while a dump runs (toJSON, a getter) does not disturb it", () => {
    class Later {
      toJSON() {
        return { inner: dumpFlaskJson({ z: [1, 2], y: "in" }) };
      }
    }
    const data = {
      a: "x".repeat(40),
      b: new Later(),
      get c() {
        return dumpFlaskJson({ q: 1 });
      },
    };
    assert.equal(
      dumpFlaskJson(data),
      `{"a":"${"x".repeat(40)}","b":{"inner":"{\\"y\\":\\"in\\",\\"z\\":[1,2]}"},"c":"{\\"q\\":1}"}`,
    );
  });

  test("refuses what Flask cannot hold, naming the place", () => {
    const bad: [unknown, RegExp][] = [
      [{ a: { b: new Map() } }, /a\.b is a Map/],
      [{ a: [1, undefined] }, /a\[1\] is undefined/],
      [{ f: () => 1 }, /f is a function/],
      [{ s: Symbol("x") }, /s is a symbol/],
      [{ d: new Date(Number.NaN) }, /invalid Date/],
      [{ d: new Date(Date.UTC(10000, 0)) }, /years 1 to 9999/],
      [{ n: 10n ** 4300n }, /more than 4300 digits/],
      [JSON.parse('{"__proto__":{"admin":true}}'), /__proto__/],
      [{ a: [{ constructor: 1 }] }, /constructor/],
    ];
    for (const [value, message] of bad) {
      assert.throws(
        () => dumpFlaskJson(value),
        (e: unknown) => {
          assert.ok(e instanceof FlaskPayloadError);
          assert.equal(e.code, "ERR_FLASK_PAYLOAD");
          assert.match(e.message, message);
          return true;
        },
      );
    }
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    assert.throws(() => dumpFlaskJson({ deep }), /deeper than 64/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(() => dumpFlaskJson(cycle), /deeper than 64/);
  });

  test("httpDate writes four-digit years and whole seconds", () => {
    const d = new Date(0);
    d.setUTCFullYear(1, 0, 1);
    assert.equal(httpDate(d), "Mon, 01 Jan 0001 00:00:00 GMT");
  });
});

describe("parseFlaskJson", () => {
  test("untags every tag, children first", () => {
    const value = parseFlaskJson(
      '{"t":{" t":[1,{" t":["x"]}]},"b":{" b":"/wAB"},"m":{" m":"<i>"},"u":{" u":"12345678123456781234567812345678"},"d":{" d":"Wed, 02 Jan 2030 03:04:05 GMT"},"di":{" di":{" t__":[1]}}}',
    ) as Record<string, unknown>;
    assert.ok(value.t instanceof FlaskTuple);
    assert.ok((value.t as unknown[])[1] instanceof FlaskTuple);
    assert.deepEqual(value.b, new Uint8Array([0xff, 0, 1]));
    assert.ok(value.m instanceof Markup && value.m.value === "<i>");
    assert.equal(String(value.u), "12345678-1234-5678-1234-567812345678");
    assert.equal((value.d as Date).toISOString(), "2030-01-02T03:04:05.000Z");
    // The escaped dict comes back as a plain dict with a list, not a tuple.
    assert.deepEqual(value.di, { " t": [1] });
    assert.ok(!((value.di as Record<string, unknown>)[" t"] instanceof FlaskTuple));
  });

  test("numbers: ints, big ints, floats, whole floats, -0, NaN and Infinity", () => {
    const value = parseFlaskJson(
      "[1,-0,12345678901234567890,9007199254740991,0.1,1.0,1e+16,-0.0,NaN,Infinity,-Infinity,1e400]",
    ) as unknown[];
    assert.equal(value[0], 1);
    assert.ok(Object.is(value[1], 0), "the int -0 is 0");
    assert.equal(value[2], 12345678901234567890n);
    assert.equal(value[3], 9007199254740991);
    assert.equal(value[4], 0.1);
    assert.ok(value[5] instanceof FlaskFloat && value[5].value === 1);
    assert.ok(value[6] instanceof FlaskFloat && value[6].value === 1e16);
    assert.ok(Object.is(value[7], -0));
    assert.ok(Number.isNaN(value[8]));
    assert.equal(value[9], Number.POSITIVE_INFINITY);
    assert.equal(value[10], Number.NEGATIVE_INFINITY);
    assert.equal(value[11], Number.POSITIVE_INFINITY);
    assert.equal(
      dumpFlaskJson({ v: value }),
      '{"v":[1,0,12345678901234567890,9007199254740991,0.1,1.0,1e+16,-0.0,NaN,Infinity,-Infinity,Infinity]}',
    );
  });

  test("Python's tag semantics at the edges", () => {
    assert.deepEqual([...(parseFlaskJson('{" t":"ab😀"}') as unknown[])], ["a", "b", "😀"]);
    assert.deepEqual([...(parseFlaskJson('{" t":{"x":1,"y":2}}') as unknown[])], ["x", "y"]);
    assert.equal(parseFlaskJson('{" d":"not a date"}'), null);
    assert.equal(parseFlaskJson('{" d":null}'), null);
    // Two-digit years (and, as in Python's email.utils, years below 100).
    assert.equal(
      (parseFlaskJson('{" d":"01 Jan 30 00:00:00 GMT"}') as Date).toISOString(),
      "2030-01-01T00:00:00.000Z",
    );
    assert.equal(
      (parseFlaskJson('{" d":"Mon, 01 Jan 0001 00:00:00 GMT"}') as Date).toISOString(),
      "2001-01-01T00:00:00.000Z",
    );
    assert.equal(
      (parseFlaskJson('{" d":"Tue, 01 Jan 2030 00:00:00 +0200"}') as Date).toISOString(),
      "2029-12-31T22:00:00.000Z",
    );
    assert.equal(parseFlaskJson('{" d":"31 Feb 2030 00:00:00 GMT"}'), null);
    // b64decode without validation skips foreign characters.
    assert.deepEqual(parseFlaskJson('{" b":"/w\\nA=B"}'), new Uint8Array([0xff, 0]));
    // A dict with two keys is not a tag.
    assert.deepEqual(parseFlaskJson('{" t":[1],"x":2}'), { " t": [1], x: 2 });
    // " di" keeps the first key and drops its last two code points.
    assert.deepEqual(parseFlaskJson('{" di":{"a😀😀":1}}'), { a: 1 });
  });

  test("refuses bad JSON, bad tag values and forbidden keys", () => {
    const bad = [
      "",
      "{",
      '{"a":1,}',
      "[1 2]",
      "01",
      '"\u0001"',
      '"\\x"',
      "{} x",
      "\ufeff{}",
      '{" t":5}',
      '{" u":"nope"}',
      '{" u":5}',
      '{" b":"A"}',
      '{" m":5}',
      '{" di":[]}',
      '{" di":{}}',
      '{"__proto__":{}}',
      '{"a":{"constructor":1}}',
      '{"\\u005f_proto__":1}',
      '{" di":{"__proto____":1}}',
      '{" di":{"prototype__":1}}',
      `[${"1".repeat(4301)}]`,
      `${"[".repeat(65)}${"]".repeat(65)}`,
    ];
    for (const text of bad) {
      assert.throws(
        () => parseFlaskJson(text),
        (e: unknown) => e instanceof FlaskPayloadError,
        JSON.stringify(text.slice(0, 40)),
      );
    }
  });

  test("accepts whitespace, duplicate keys (last wins) and escapes", () => {
    assert.deepEqual(parseFlaskJson(' {"a" : [ 1 , 2 ] ,\n"a":\t3 } '), { a: 3 });
    assert.equal(parseFlaskJson('"\\ud83d\\ude00\\u00e9\\/"'), "😀é/");
    // A duplicate " t" still makes a one-key dict, so it is a tuple.
    assert.ok(parseFlaskJson('{" t":[1]," t":[2]}') instanceof FlaskTuple);
  });
});

describe("values", () => {
  test("FlaskTuple is an array whose derived arrays are plain", () => {
    const t = new FlaskTuple(3);
    assert.deepEqual([...t], [3]);
    assert.ok(Array.isArray(t));
    assert.ok(!(t.map((x) => x) instanceof FlaskTuple));
    assert.deepEqual([...(FlaskTuple.of(1, 2) as FlaskTuple)], [1, 2]);
  });

  test("UUID accepts Python's spellings", () => {
    for (const text of [
      "{12345678-1234-5678-1234-567812345678}",
      "12345678123456781234567812345678",
      "urn:uuid:12345678-1234-5678-1234-567812345678",
      "12345678-1234-5678-1234-567812345678".toUpperCase(),
    ]) {
      assert.equal(new UUID(text).hex, "12345678123456781234567812345678");
    }
    assert.throws(() => new UUID("1234"), TypeError);
  });

  test("FlaskFloat and Markup convert", () => {
    assert.equal(+new FlaskFloat(3) + 1, 4);
    assert.equal(`${new Markup("<b>")}`, "<b>");
    assert.equal(JSON.stringify({ f: new FlaskFloat(2), m: new Markup("x") }), '{"f":2,"m":"x"}');
  });
});

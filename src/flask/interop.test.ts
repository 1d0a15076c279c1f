// Against the real Flask: cookies made by Flask decode in tessera (and encode
// back byte for byte), cookies made by tessera are accepted by Flask and decode
// to the same values, and both refuse the same bad cookies. Python runs once,
// as fixtures/flask_driver.py, answering JSON commands.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createSessions } from "../manager/sessions.ts";
import { createFlaskCodec } from "./codec.ts";
import {
  type FlaskCookieError,
  FlaskExpiredError,
  FlaskFutureError,
  FlaskSignatureError,
} from "./errors.ts";
import {
  type Answer,
  describe as describeValue,
  FlaskDriver,
  flaskSkip,
} from "./fixtures/python.ts";
import { dumpFlaskJson } from "./json.ts";
import { flaskCookieStore } from "./store.ts";
import { FlaskFloat, FlaskTuple, Markup, UUID } from "./values.ts";
import { deflate } from "./zlib.ts";

const skip = flaskSkip();
const SECRET = randomBytes(32).toString("base64url");
const TS = 1_700_000_000; // seconds
const codec = createFlaskCodec({ secretKey: SECRET });
let flask: FlaskDriver;

before(async () => {
  if (skip) return;
  flask = FlaskDriver.start();
  const v = await flask.call({ op: "version" });
  console.log(
    `# real Flask ${v.flask}, itsdangerous ${v.itsdangerous}, Python ${v.python}, zlib ${v.zlib}`,
  );
});
after(() => flask?.close());

const pyDumps = (py: string, ts = TS): Promise<Answer> =>
  flask.call({ op: "dumps", secret: SECRET, now: ts, py });
const pyLoads = (cookie: string, now = TS, secret = SECRET, fallbacks: string[] = []) =>
  flask.call({ op: "loads", secret, fallbacks, now, cookie });

// Python expressions, evaluated by Flask's side.
const FROM_FLASK: [string, string][] = [
  ["strings", `{"s": "hello", "empty": "", "ctl": "a\\"b\\\\c/\\n\\t\\x00\\x1f\\x7f"}`],
  [
    "unicode, astral and lone surrogates",
    `{"fr": "café", "cjk": "漢字", "astral": "😀 \\U0001F9D1\\u200D\\U0001F4BB", "ls": "\\u2028", "lone": "\\ud800", "max": "\\uffff", "keys": {"\\U0001F600": 1, "\\uffff": 2, "\\ud800": 3, "z": 4, "é": 5}}`,
  ],
  [
    "ints and big ints",
    `{"zero": 0, "neg": -5, "max53": 2**53 - 1, "over53": 2**53 + 1, "big": 2**70, "negbig": -(2**64) + 1, "huge": 10**300}`,
  ],
  [
    "floats",
    `{"tenth": 0.1, "neg": -2.5, "third": 1/3, "whole": 1.0, "e16": 1e16, "e15": 1e15, "small": 1e-7, "tiny": 5e-324, "maxf": 1.7976931348623157e308, "negz": -0.0, "nan": float("nan"), "inf": float("inf"), "ninf": -float("inf"), "ts": 1700000000.123456}`,
  ],
  [
    "nested data",
    `{"a": {"b": {"c": [1, [2, [3, {"d": None, "e": True, "f": False}]]]}}, "list": [], "dict": {}}`,
  ],
  [
    "every tag",
    `{"t": (1, "two", (3,), ()), "b": b"\\x00\\xffbytes", "eb": b"", "m": Markup("<em>hi</em>"), "u": UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "d": datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc), "naive": datetime(1999, 12, 31, 23, 59, 59), "offset": datetime(2030, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))), "y1000": datetime(1000, 1, 1, tzinfo=timezone.utc)}`,
  ],
  [
    "dicts that look like tags (escaped with ' di')",
    `{"t": {" t": 1}, "t__": {" t__": [1]}, "di": {" di": {"x": 1}}, "b": {" b": "x"}, "m": {" m": "x"}, "u": {" u": "x"}, "d": {" d": "x"}, "two": {" t": 1, " b": 2}}`,
  ],
  [
    "flashes and permanent",
    `{"_flashes": [("message", "Hello"), ("error", Markup("<b>bad</b>"))], "_permanent": True, "user": "alice"}`,
  ],
  ["compressed", `{"x": "a" * 1000, "y": list(range(300))}`],
  [
    "many records (compressed)",
    `{"users": [{"id": i, "name": f"user{i}", "tags": ("a", "b"), "score": i / 7} for i in range(40)]}`,
  ],
  ["empty", "{}"],
];

// JavaScript values, encoded by tessera.
const FROM_TESSERA: [string, Record<string, unknown>][] = [
  ["strings", { s: "hello", empty: "", ctl: 'a"b\\c/\n\t\u0000\u001f\u007f' }],
  [
    "unicode",
    {
      fr: "café",
      cjk: "漢字",
      astral: "😀🧑‍💻",
      lone: "\ud800",
      keys: { "😀": 1, "\uffff": 2, "\ud800": 3 },
    },
  ],
  [
    "numbers",
    {
      zero: 0,
      neg: -5,
      big: 2n ** 70n,
      negbig: -(2n ** 64n),
      bigNumber: 2 ** 60,
      e21: 1e21,
      tenth: 0.1,
      third: 1 / 3,
      whole: new FlaskFloat(1),
      e16f: new FlaskFloat(1e16),
      negz: -0,
      small: 1e-7,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
    },
  ],
  ["nested", { a: { b: [1, [2, { c: null, d: true }]] }, list: [], dict: {} }],
  [
    "every tag",
    {
      t: new FlaskTuple(1, "two", new FlaskTuple(3), new FlaskTuple()),
      b: new Uint8Array([0, 255, 98]),
      buf: Buffer.from("xyz"),
      m: new Markup("<em>hi</em>"),
      u: new UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
      d: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      old: new Date(Date.UTC(1000, 0, 1)),
    },
  ],
  ["escaped dicts", { t: { " t": 1 }, di: { " di": { x: 1 } }, u: { " u": "x" } }],
  ["compressed", { x: "b".repeat(2000), list: Array.from({ length: 100 }, (_, i) => i * 1.5) }],
  ["empty", {}],
];

describe("real Flask → tessera", { skip }, () => {
  for (const [name, py] of FROM_FLASK) {
    test(name, async () => {
      const { cookie } = await pyDumps(py);
      const flaskSide = await pyLoads(cookie);
      assert.equal(flaskSide.error, null);
      const data = codec.decode(cookie, { now: TS * 1000 });
      assert.deepEqual(describeValue(data), flaskSide.value);
      // Written back byte for byte, compression choice included.
      assert.equal(codec.encode(data, { timestamp: TS * 1000 }), cookie);
    });
  }

  test("the compressed cases are compressed", async () => {
    assert.ok((await pyDumps(`{"x": "a" * 1000}`)).cookie.startsWith("."));
  });
});

describe("tessera → real Flask", { skip }, () => {
  for (const [name, value] of FROM_TESSERA) {
    test(name, async () => {
      const cookie = codec.encode(value, { timestamp: TS * 1000 });
      const flaskSide = await pyLoads(cookie);
      assert.equal(flaskSide.error, null);
      assert.equal(flaskSide.session_error, null);
      const ours = describeValue(codec.decode(cookie, { now: TS * 1000 }));
      assert.deepEqual(flaskSide.value, ours);
      assert.deepEqual(flaskSide.session, ours, "what open_session gives a request");
      // Flask writes the same data back as the same cookie.
      assert.equal(flaskSide.redump, cookie);
    });
  }
});

// Random data of every kind, both ways: tessera's encoding of it must equal
// Flask's encoding of what Flask reads from tessera's JSON.
describe("random data, both ways", { skip }, () => {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const CHARS = [
    "a",
    "Z",
    "0",
    " ",
    '"',
    "\\",
    "\n",
    "\u0000",
    "\u007f",
    "é",
    "漢",
    "😀",
    "\u2028",
    "\ud800",
    "\udfff",
    "\uffff",
    "~",
    " t",
  ];
  const str = () => Array.from({ length: Math.floor(rand() * 8) }, () => pick(CHARS)).join("");
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const num = (): unknown => {
    switch (Math.floor(rand() * 6)) {
      case 0:
        return Math.floor(rand() * 2000) - 1000;
      case 1:
        return BigInt(Math.floor(rand() * 2 ** 31)) ** 3n * (rand() < 0.5 ? -1n : 1n);
      case 2:
        return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
      case 3:
        u32[0] = Math.floor(rand() * 2 ** 32);
        u32[1] = Math.floor(rand() * 2 ** 32);
        return Number.isNaN(f64[0]) ? 0.5 : f64[0];
      case 4:
        return new FlaskFloat(Math.floor(rand() * 1e6));
      default:
        return rand() < 0.5 ? 2 ** Math.floor(rand() * 70) : -(2 ** Math.floor(rand() * 70));
    }
  };
  const value = (depth: number): unknown => {
    const r = Math.floor(rand() * (depth > 3 ? 5 : 9));
    if (r === 0) return str();
    if (r === 1) return num();
    if (r === 2) return pick([true, false, null]);
    if (r === 3) return new Markup(str());
    if (r === 4) return new Uint8Array(randomBytes(Math.floor(rand() * 6)));
    if (r === 5)
      return FlaskTuple.from(
        Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1)),
      );
    if (r === 6) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    const out: Record<string, unknown> = {};
    for (let i = Math.floor(rand() * 4); i > 0; i--)
      out[pick([str(), " t", " di", "k"])] = value(depth + 1);
    return out;
  };

  test("200 random sessions", async () => {
    for (let i = 0; i < 200; i++) {
      const data: Record<string, unknown> = {};
      for (let k = Math.floor(rand() * 5); k > 0; k--) data[str() || "k"] = value(0);
      const ours = codec.encode(data, { timestamp: TS * 1000 });
      const { cookie } = await flask.call({
        op: "dumps",
        secret: SECRET,
        now: TS,
        json: dumpFlaskJson(data),
      });
      assert.equal(ours, cookie, `case ${i}: ${dumpFlaskJson(data)}`);
      const flaskSide = await pyLoads(cookie);
      assert.deepEqual(describeValue(codec.decode(cookie, { now: TS * 1000 })), flaskSide.value);
    }
  });
});

describe("both refuse the same cookies", { skip }, () => {
  const expectRejected = async (
    cookie: string,
    now: number,
    type: new (...args: never[]) => FlaskCookieError,
    pythonErrors: string[],
  ) => {
    const flaskSide = await pyLoads(cookie, now);
    assert.ok(pythonErrors.includes(flaskSide.error), `Flask said ${flaskSide.error}`);
    assert.deepEqual(flaskSide.session, { dict: {} }, "Flask starts an empty session");
    assert.throws(() => codec.decode(cookie, { now: now * 1000 }), type);
  };
  const BAD_SIGNATURE = ["BadSignature", "BadTimeSignature"];

  test("a good cookie is accepted by both (the control)", async () => {
    const { cookie } = await pyDumps(`{"user": "alice"}`);
    assert.equal((await pyLoads(cookie)).error, null);
    assert.deepEqual(codec.decode(cookie, { now: TS * 1000 }), { user: "alice" });
  });

  test("tampered", async () => {
    const { cookie } = await pyDumps(`{"user": "alice", "role": "user"}`);
    const forged = codec.encode({ user: "alice", role: "admin" }, { timestamp: TS * 1000 });
    const swapped = forged.slice(0, forged.indexOf(".")) + cookie.slice(cookie.indexOf("."));
    await expectRejected(swapped, TS, FlaskSignatureError, BAD_SIGNATURE);
    const i = Math.floor(cookie.indexOf(".") / 2);
    const flipped = cookie.slice(0, i) + (cookie[i] === "A" ? "B" : "A") + cookie.slice(i + 1);
    await expectRejected(flipped, TS, FlaskSignatureError, BAD_SIGNATURE);
  });

  test("wrong key", async () => {
    const other = randomBytes(32).toString("base64url");
    const { cookie } = await flask.call({
      op: "dumps",
      secret: other,
      now: TS,
      py: `{"user": "alice"}`,
    });
    await expectRejected(cookie, TS, FlaskSignatureError, BAD_SIGNATURE);
  });

  test("expired (one second past PERMANENT_SESSION_LIFETIME) and from the future", async () => {
    const { cookie } = await pyDumps(`{"user": "alice"}`);
    const lifetime = 31 * 86400;
    assert.equal((await pyLoads(cookie, TS + lifetime)).error, null, "the last second is fine");
    assert.deepEqual(codec.decode(cookie, { now: (TS + lifetime) * 1000 }), { user: "alice" });
    await expectRejected(cookie, TS + lifetime + 1, FlaskExpiredError, ["SignatureExpired"]);
    await expectRejected(cookie, TS - 1, FlaskFutureError, ["SignatureExpired"]);
  });

  test("truncated", async () => {
    const { cookie } = await pyDumps(`{"user": "alice"}`);
    const [payload, ts] = cookie.split(".");
    for (const cut of [
      cookie.slice(0, -1),
      cookie.slice(0, cookie.length >> 1),
      `${payload}.${ts}`,
      payload!,
    ])
      await expectRejected(cut, TS, FlaskSignatureError, BAD_SIGNATURE);
  });
});

describe("sessions shared with a real Flask request", { skip }, () => {
  const sessions = () =>
    createSessions({
      secrets: [randomBytes(32).toString("base64url")],
      store: flaskCookieStore({ secretKey: SECRET }),
      cookie: { name: "session", secure: false },
      expiry: { idle: "31d", absolute: "31d", remember: "31d" },
    });
  const cookieValue = (setCookie: string) =>
    setCookie.slice("session=".length, setCookie.indexOf(";"));

  test("Flask's flash(), session and permanent flag read by tessera", async () => {
    const answer = await flask.call({
      op: "request",
      secret: SECRET,
      code: 'flask.flash("Hi from Flask"); flask.flash(Markup("<b>careful</b>"), "warning"); session["user"] = "alice"; session.permanent = True',
    });
    assert.equal(answer.status, 200);
    const session = await sessions().load({
      headers: new Headers({ cookie: `session=${cookieValue(answer.set_cookie)}` }),
    });
    assert.equal(session.get("user"), "alice");
    assert.equal(session.permanent, true);
    assert.deepEqual(session.flashes(), [
      { category: "message", message: "Hi from Flask" },
      { category: "warning", message: new Markup("<b>careful</b>") },
    ]);
  });

  test("tessera's flash, data and permanent flag read by Flask", async () => {
    const manager = sessions();
    const session = await manager.load({ headers: new Headers() });
    session.set("user", "bob");
    session.flash("error", "Oops");
    session.flash("message", "Saved");
    session.permanent = true;
    const response = await manager.commit(session, new Response("ok"));
    const cookie = cookieValue(response.headers.getSetCookie()[0]!);
    const answer = await flask.call({
      op: "request",
      secret: SECRET,
      cookie,
      code: 'result = [flask.get_flashed_messages(with_categories=True), session.get("user"), session.permanent]',
    });
    assert.deepEqual(answer.value, [
      [{ tuple: ["error", "Oops"] }, { tuple: ["message", "Saved"] }],
      "bob",
      true,
    ]);
    // Reading the flashes consumed them, so Flask wrote the session back.
    assert.ok(answer.set_cookie);
    const after = codec.decode(cookieValue(answer.set_cookie));
    assert.deepEqual(after, { user: "bob", _permanent: true });
  });

  test("SECRET_KEY_FALLBACKS: rotation works across both", async () => {
    const oldKey = randomBytes(32).toString("base64url");
    const { cookie: old } = await flask.call({
      op: "dumps",
      secret: oldKey,
      now: TS,
      py: `{"user": "alice"}`,
    });
    const rotated = createFlaskCodec({ secretKey: SECRET, fallbackKeys: [oldKey] });
    const opened = rotated.open(old, { now: TS * 1000 });
    assert.deepEqual(opened.data, { user: "alice" });
    assert.equal(opened.stale, true);
    // tessera re-signs with the current key; Flask with only that key accepts it.
    const fresh = rotated.encode(opened.data, { timestamp: TS * 1000 });
    assert.equal((await pyLoads(fresh)).error, null);
    // Flask with the same rotation reads the old cookie, and signs with the current key too.
    const flaskSide = await pyLoads(old, TS, SECRET, [oldKey]);
    assert.equal(flaskSide.error, null);
    assert.equal(flaskSide.redump, fresh);
  });
});

describe("deflate is Python's zlib.compress, byte for byte", { skip }, () => {
  test("120 inputs: JSON-like, random, repetitive, up to 300 KB (window slides, many blocks)", async () => {
    // A new seed each run widens the search; it is in every failure message.
    const seed = randomBytes(4).readUInt32BE(0);
    let state = seed;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const inputs: Uint8Array[] = [];
    const words = [
      '{"',
      '":"',
      "user",
      "admin",
      "\\u00e9",
      "0123",
      "x".repeat(40),
      "Hello World",
      "]},{",
    ];
    for (let i = 0; i < 120; i++) {
      const size = i < 100 ? Math.floor(random() * 3000) : Math.floor(random() * 300_000);
      const kind = i % 4;
      let bytes: Uint8Array;
      if (kind === 0) bytes = new Uint8Array(size).map(() => Math.floor(random() * 256));
      else if (kind === 1) bytes = new Uint8Array(size).map(() => 97 + Math.floor(random() * 3));
      else {
        let text = "";
        while (text.length < size) text += words[Math.floor(random() * words.length)];
        bytes = new TextEncoder().encode(text.slice(0, size));
      }
      inputs.push(bytes);
    }
    const { outputs } = await flask.call({
      op: "zlib",
      inputs: inputs.map((b) => Buffer.from(b).toString("hex")),
    });
    inputs.forEach((input, i) => {
      assert.equal(
        Buffer.from(deflate(input)).toString("hex"),
        outputs[i],
        `input ${i} (${input.length} bytes), seed ${seed}`,
      );
    });
  });
});

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { createSessions } from "../manager/sessions.ts";
import { createFlaskCodec } from "./codec.ts";
import { flaskCookieStore } from "./store.ts";
import { FlaskTuple, Markup } from "./values.ts";

const secret = () => randomBytes(32).toString("base64url");

function setup(options: { now?: () => number; fallbackKeys?: string[]; flaskKey?: string } = {}) {
  const flaskKey = options.flaskKey ?? secret();
  const sessions = createSessions({
    secrets: [secret()],
    store: flaskCookieStore({ secretKey: flaskKey, fallbackKeys: options.fallbackKeys ?? [] }),
    cookie: { name: "session", secure: false },
    expiry: { idle: "31d", absolute: "31d", remember: "31d" },
    ...(options.now ? { now: options.now } : {}),
  });
  return { sessions, flask: createFlaskCodec({ secretKey: flaskKey }), flaskKey };
}

const request = (cookie?: string) => ({
  headers: new Headers(cookie === undefined ? {} : { cookie: `session=${cookie}` }),
});

function cookieOf(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith("session="));
  return header?.slice("session=".length, header.indexOf(";"));
}

describe("flaskCookieStore with createSessions", () => {
  test("reads a Flask session: data, flashes (tuples) and the permanent flag", async () => {
    const { sessions, flask } = setup();
    const at = Date.now() - 60_000;
    const cookie = flask.encode(
      {
        user: "alice",
        _permanent: true,
        _flashes: [
          new FlaskTuple("message", "Welcome"),
          new FlaskTuple("warning", new Markup("<b>!</b>")),
        ],
      },
      { timestamp: at },
    );
    const session = await sessions.load(request(cookie));
    assert.equal(session.isNew, false);
    assert.equal(session.get("user"), "alice");
    assert.equal(session.permanent, true);
    assert.equal(session.createdAt.getTime(), Math.floor(at / 1000) * 1000);
    assert.equal(session.lastActiveAt.getTime(), Math.floor(at / 1000) * 1000);
    assert.deepEqual(session.toJSON(), { user: "alice" });
    const flashes = session.flashes();
    assert.deepEqual(flashes, [
      { category: "message", message: "Welcome" },
      { category: "warning", message: new Markup("<b>!</b>") },
    ]);
    // Consuming the flashes writes the session back, without them.
    const written = cookieOf(await sessions.commit(session, new Response("ok")));
    assert.ok(written);
    assert.deepEqual(flask.decode(written), { user: "alice", _permanent: true });
  });

  test("writes Flask's shape: flashes as tuples, _permanent, HttpOnly cookie named session", async () => {
    const { sessions, flask } = setup();
    const session = await sessions.load(request());
    session.set("user", "bob");
    session.flash("success", "Saved");
    session.permanent = true;
    const response = await sessions.commit(session, new Response("ok"));
    const header = response.headers.getSetCookie()[0]!;
    assert.match(header, /^session=/);
    assert.match(header, /HttpOnly/i);
    // 31 days, less the time between load and commit.
    const maxAge = Number(/Max-Age=(\d+)/.exec(header)?.[1]);
    assert.ok(maxAge <= 31 * 86400 && maxAge > 31 * 86400 - 10, header);
    const data = flask.decode(cookieOf(response)!);
    assert.deepEqual(data, {
      user: "bob",
      _permanent: true,
      _flashes: [new FlaskTuple("success", "Saved")],
    });
    assert.ok((data._flashes as unknown[])[0] instanceof FlaskTuple);
  });

  test("a bad, foreign or expired cookie gives a fresh session, and is cleared when written", async () => {
    const { sessions } = setup();
    const other = createFlaskCodec({ secretKey: secret() }).encode({ user: "mallory" });
    for (const value of [other, "garbage", `${other}x`]) {
      const session = await sessions.load(request(value));
      assert.equal(session.isNew, true);
      assert.equal(session.get("user"), undefined);
    }
    const { sessions: s2, flask } = setup();
    const old = flask.encode({ user: "alice" }, { timestamp: Date.now() - 32 * 86400_000 });
    assert.equal((await s2.load(request(old))).isNew, true);
  });

  test("a cookie opened with a fallback key is written again with the current key", async () => {
    const oldKey = secret();
    const old = createFlaskCodec({ secretKey: oldKey }).encode({ user: "alice" });
    const { sessions, flaskKey } = setup({ fallbackKeys: [oldKey] });
    const session = await sessions.load(request(old));
    assert.equal(session.get("user"), "alice");
    const fresh = cookieOf(await sessions.commit(session, new Response("ok")));
    assert.ok(fresh, "re-signed although unmodified");
    assert.deepEqual(createFlaskCodec({ secretKey: flaskKey }).decode(fresh), { user: "alice" });
    assert.throws(() => createFlaskCodec({ secretKey: oldKey }).decode(fresh));
  });

  test("tessera's idle limit applies on top of Flask's maxAge, from the cookie's timestamp", async () => {
    const flaskKey = secret();
    let now = Date.now();
    const sessions = createSessions({
      secrets: [secret()],
      store: flaskCookieStore({ secretKey: flaskKey }),
      cookie: { name: "session", secure: false },
      expiry: { idle: "30m" },
      now: () => now,
    });
    const cookie = createFlaskCodec({ secretKey: flaskKey }).encode(
      { user: "a" },
      { timestamp: now },
    );
    now += 29 * 60_000;
    assert.equal((await sessions.load(request(cookie))).get("user"), "a");
    now += 2 * 60_000;
    assert.equal((await sessions.load(request(cookie))).isNew, true);
  });

  test("clearing the session deletes the cookie", async () => {
    const { sessions, flask } = setup();
    const session = await sessions.load(request(flask.encode({ user: "alice" })));
    session.clear();
    const header = (await sessions.commit(session, new Response("ok"))).headers.getSetCookie()[0]!;
    assert.match(header, /^session=;/);
  });
});

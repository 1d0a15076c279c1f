// Security behaviour of the manager: cookie tossing, revocation of sealed
// cookies (replay after logout), fixation, wrong-purpose tokens, development
// and production modes.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, describe, test } from "node:test";
import { KeyRing } from "../crypto/keys.ts";
import { createSealer } from "../crypto/seal.ts";
import { createSigner } from "../crypto/sign.ts";
import { ConfigError } from "../errors.ts";
import { memoryStore } from "../stores/memory.ts";
import { fakeClock } from "../testing/clock.ts";
import { createSessions, type SessionsOptions } from "./sessions.ts";

const SECRET = randomBytes(32).toString("base64url");
const NAME = "__Host-session";
type Data = { visits?: number; note?: string };

function setup(options: Partial<SessionsOptions> = {}) {
  const clock = fakeClock();
  const sessions = createSessions<Data>({ secrets: SECRET, now: clock.now, ...options });
  return { sessions, clock };
}

const request = (cookie?: string) =>
  new Request("https://example.test/", cookie === undefined ? {} : { headers: { cookie } });

function cookieValue(response: Response): string | undefined {
  const header = response.headers.getSetCookie()[0];
  if (header === undefined) return undefined;
  return header.slice(header.indexOf("=") + 1, header.indexOf(";"));
}

type Sessions = ReturnType<typeof setup>["sessions"];
async function step(
  sessions: Sessions,
  value: string | undefined,
  act: (s: Awaited<ReturnType<Sessions["load"]>>) => unknown,
) {
  const session = await sessions.load(
    request(value === undefined ? undefined : `${NAME}=${value}`),
  );
  await act(session);
  const response = await sessions.commit(session, new Response("ok"));
  return { session, value: cookieValue(response) ?? value };
}

describe("duplicate session cookies (cookie tossing)", () => {
  test("two valid cookies of our name: refuse to guess, start anonymous", async () => {
    const { sessions } = setup();
    const mine = (await step(sessions, undefined, (s) => s.set("note", "mine"))).value!;
    const tossed = (await step(sessions, undefined, (s) => s.set("note", "attacker"))).value!;
    const session = await sessions.load(request(`${NAME}=${tossed}; ${NAME}=${mine}`));
    assert.equal(session.isNew, true);
    assert.equal(session.get("note"), undefined);
  });

  test("one valid cookie among junk or expired ones is used", async () => {
    const { sessions } = setup();
    const mine = (await step(sessions, undefined, (s) => s.set("note", "mine"))).value!;
    const session = await sessions.load(request(`${NAME}=junk; other=1; ${NAME}=${mine}`));
    assert.equal(session.get("note"), "mine");
  });
});

describe("revocation of sealed-cookie sessions", () => {
  async function loggedIn(sessions: Sessions, user: string) {
    return (
      await step(sessions, undefined, async (s) => {
        await sessions.login(s, user);
        s.set("visits", 1);
      })
    ).value!;
  }

  test("without revocation, a copied cookie still opens after logout (the documented trade-off)", async () => {
    const { sessions } = setup();
    const cookie = await loggedIn(sessions, "alice");
    await step(sessions, cookie, (s) => s.destroy());
    assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${cookie}`))), "alice");
  });

  test("with revocation, replaying a captured cookie after logout fails", async () => {
    const { sessions } = setup({ revocation: { store: memoryStore() } });
    const captured = await loggedIn(sessions, "alice");
    assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${captured}`))), "alice");
    await step(sessions, captured, (s) => s.destroy());
    const replay = await sessions.load(request(`${NAME}=${captured}`));
    assert.equal(replay.isNew, true);
    assert.equal(sessions.userOf(replay), undefined);
  });

  test("logout by clear() + regenerate() also kills the old cookie, and the new one works", async () => {
    const { sessions } = setup({ revocation: { store: memoryStore() } });
    const captured = await loggedIn(sessions, "alice");
    const after = await step(sessions, captured, async (s) => {
      s.clear();
      await s.regenerate();
      s.set("note", "logged out");
    });
    assert.equal((await sessions.load(request(`${NAME}=${captured}`))).isNew, true);
    assert.equal(
      (await sessions.load(request(`${NAME}=${after.value}`))).get("note"),
      "logged out",
    );
  });

  test("revokeUser ends every earlier cookie of the user, except the one kept; other users are untouched", async () => {
    const { sessions, clock } = setup({ revocation: { store: memoryStore() } });
    const laptop = await loggedIn(sessions, "alice");
    const phone = await loggedIn(sessions, "alice");
    const bob = await loggedIn(sessions, "bob");
    clock.advance(1000);
    const kept = await step(sessions, phone, (s) => sessions.revokeUser("alice", { except: s }));
    assert.notEqual(kept.value, phone, "the kept session was written again");
    assert.equal(
      (await sessions.load(request(`${NAME}=${laptop}`))).isNew,
      true,
      "laptop logged out",
    );
    assert.equal(
      (await sessions.load(request(`${NAME}=${phone}`))).isNew,
      true,
      "the old phone cookie too",
    );
    assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${kept.value}`))), "alice");
    assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${bob}`))), "bob");
    // Logging in again after the cut-off works.
    clock.advance(1000);
    const again = await loggedIn(sessions, "alice");
    assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${again}`))), "alice");
  });

  test("revocation needs a server store, and only makes sense for cookie sessions", () => {
    assert.throws(
      () =>
        createSessions({
          secrets: SECRET,
          revocation: { store: createSessions({ secrets: SECRET }).store },
        }),
      ConfigError,
    );
    assert.throws(
      () =>
        createSessions({
          secrets: SECRET,
          store: memoryStore(),
          revocation: { store: memoryStore() },
        }),
      ConfigError,
    );
  });
});

describe("fixation and login", () => {
  test("a session planted before login is dead after it (server store)", async () => {
    const { sessions } = setup({ store: memoryStore() });
    const planted = (await step(sessions, undefined, (s) => s.set("note", "planted"))).value!;
    const after = (await step(sessions, planted, (s) => sessions.login(s, "alice"))).value!;
    assert.notEqual(after, planted);
    assert.equal((await sessions.load(request(`${NAME}=${planted}`))).isNew, true);
    assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${after}`))), "alice");
  });

  test("login restarts the absolute clock", async () => {
    const { sessions, clock } = setup({ expiry: { absolute: "1h", idle: "2h" } });
    const anon = (await step(sessions, undefined, (s) => s.set("visits", 1))).value!;
    clock.advance(25 * 60_000);
    const loggedIn = (await step(sessions, anon, (s) => sessions.login(s, "alice"))).value!;
    const session = await sessions.load(request(`${NAME}=${loggedIn}`));
    assert.equal(session.createdAt.getTime(), clock.now());
    clock.advance(50 * 60_000 - 1);
    const late = await step(sessions, loggedIn, (s) => s.set("visits", 2));
    assert.equal(late.session.isNew, false, "75 min after the anonymous start, 50 after login");
  });
});

describe("tokens of another purpose or cookie are not sessions", () => {
  test("a CSRF-, flash- or id-purpose token, or another cookie's value, gives an anonymous session", async () => {
    const { sessions, clock } = setup();
    const ring = new KeyRing(SECRET);
    const now = clock.now();
    const payload = `{"c":${now},"a":${now},"d":{"visits":1}}`;
    // The same payload sealed for the session purpose opens, so the refusals below are about purpose.
    assert.equal(
      (await sessions.load(request(`${NAME}=${createSealer(ring, "session").seal(payload, NAME)}`)))
        .isNew,
      false,
    );
    for (const purpose of ["csrf", "flash", "remember", "id", "handle"]) {
      const token = createSealer(ring, purpose).seal(payload, NAME);
      assert.equal((await sessions.load(request(`${NAME}=${token}`))).isNew, true, purpose);
    }
    const signed = createSigner(ring, "id").sign("some-id", NAME);
    assert.equal((await sessions.load(request(`${NAME}=${signed}`))).isNew, true, "signed id");
    const other = createSealer(ring, "session").seal(payload, "__Host-other");
    assert.equal(
      (await sessions.load(request(`${NAME}=${other}`))).isNew,
      true,
      "another cookie name",
    );
  });
});

describe("development and production modes", () => {
  const saved = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = saved;
  });

  test("development mode drops Secure and the prefix, and warns once", async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const a = createSessions({ secrets: SECRET, development: true });
      createSessions({ secrets: SECRET, development: true });
      assert.equal(a.cookieName, "session");
      assert.equal(a.cookie.secure, false);
      assert.equal(a.cookie.httpOnly, true);
      assert.ok(warnings.length <= 1);
    } finally {
      console.warn = original;
    }
  });

  test("production refuses development mode and an insecure cookie", () => {
    process.env.NODE_ENV = "production";
    assert.throws(() => createSessions({ secrets: SECRET, development: true }), /production/);
    assert.throws(
      () => createSessions({ secrets: SECRET, cookie: { name: "s", secure: false } }),
      /Secure and HttpOnly/,
    );
    assert.throws(
      () => createSessions({ secrets: SECRET, cookie: { httpOnly: false } }),
      /Secure and HttpOnly/,
    );
    assert.throws(() =>
      createSessions({ secrets: SECRET, cookie: { name: "s", sameSite: "none", secure: false } }),
    );
    assert.throws(
      () => createSessions({ secrets: SECRET, cookie: { name: "sid" } }),
      /__Host- \(or __Secure-\) prefix/,
    );
    assert.doesNotThrow(() =>
      createSessions({ secrets: SECRET, cookie: { name: "__Secure-sid" } }),
    );
    assert.doesNotThrow(() =>
      createSessions({ secrets: SECRET, cookie: { name: "session", allowUnprefixed: true } }),
    );
    assert.doesNotThrow(() => createSessions({ secrets: SECRET }));
  });

  test("the defaults are __Host-session; Secure; HttpOnly; SameSite=Lax; Path=/", () => {
    const { cookie } = createSessions({ secrets: SECRET });
    assert.deepEqual(
      { ...cookie },
      { name: "__Host-session", path: "/", secure: true, httpOnly: true, sameSite: "lax" },
    );
  });
});

test("login on an empty cookie session writes the cookie (the user is the content)", async () => {
  const { sessions } = setup();
  const { value } = await step(sessions, undefined, (s) => sessions.login(s, "alice"));
  assert.ok(value, "a cookie was written");
  assert.equal(sessions.userOf(await sessions.load(request(`${NAME}=${value}`))), "alice");
  const out = await step(sessions, value, (s) => s.clear());
  assert.equal(out.value, "", "clear() logs out and deletes the emptied cookie");
});

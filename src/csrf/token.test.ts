import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { KeyRing } from "../crypto/keys.ts";
import { createSigner } from "../crypto/sign.ts";
import { createSessions } from "../manager/sessions.ts";
import { sessionState } from "../session/session.ts";
import { CSRF_SESSION_KEY, createCsrf } from "./csrf.ts";
import { maskToken, TOKEN_CHARS, tokenMatches } from "./token.ts";

const SECRET = randomBytes(32).toString("base64url");
const OLD_SECRET = randomBytes(32).toString("base64url");
const OTHER_SECRET = randomBytes(32).toString("base64url");
const BASE64URL = /^[A-Za-z0-9_-]+$/;

async function setup(secrets: string[] = [SECRET]) {
  const sessions = createSessions({ secrets });
  const csrf = createCsrf(sessions);
  const session = await sessions.load(new Request("https://example.com/"));
  return { sessions, csrf, session };
}

describe("tokens", () => {
  test("round trip: a token verifies for its session", async () => {
    const { csrf, session } = await setup();
    const token = csrf.token(session);
    assert.equal(token.length, TOKEN_CHARS);
    assert.equal(TOKEN_CHARS, 92);
    assert.match(token, BASE64URL);
    assert.deepEqual(csrf.verify(session, token), { ok: true });
  });

  test("an anonymous session gets a secret, stored through the session state", async () => {
    const { sessions, csrf, session } = await setup();
    assert.equal(session.isModified, false);
    csrf.token(session);
    const state = sessionState(session);
    const secret = state.record.data[CSRF_SESSION_KEY];
    assert.equal(typeof secret, "string");
    assert.match(secret as string, BASE64URL);
    assert.equal((secret as string).length, 43, "32 random bytes");
    assert.ok(state.changed.has(CSRF_SESSION_KEY));
    assert.equal(session.isModified, true, "so the session is saved");
    // Later calls keep the secret.
    csrf.token(session);
    assert.equal(state.record.data[CSRF_SESSION_KEY], secret);
    // And it is written: the cookie carries it to the next request.
    const response = await sessions.commit(session, new Response("form"));
    assert.equal(response.headers.getSetCookie().length, 1);
    assert.equal(response.headers.get("cache-control"), "no-store");
  });

  test("a fresh mask per call: 1000 tokens, all different, all valid", async () => {
    const { csrf, session } = await setup();
    const tokens = new Set<string>();
    for (let i = 0; i < 1000; i++) tokens.add(csrf.token(session));
    assert.equal(tokens.size, 1000);
    for (const token of tokens) assert.equal(csrf.verify(session, token).ok, true);
    // No two tokens even share their 32 mask bytes.
    const masks = new Set(
      [...tokens].map((t) => Buffer.from(t, "base64url").subarray(5, 37).toString("hex")),
    );
    assert.equal(masks.size, 1000);
  });

  test("changing any character fails", async () => {
    const { csrf, session } = await setup();
    const token = csrf.token(session);
    for (let i = 0; i < token.length; i++) {
      for (const c of ["A", "B", "-", "_"]) {
        if (token[i] === c) continue;
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        const result = csrf.verify(session, changed);
        assert.equal(result.ok, false, `position ${i} → ${c}`);
        if (!result.ok) assert.equal(result.reason, "invalid token");
      }
    }
  });

  test("wrong shapes fail: truncated, extended, padded, standard base64, not a string", async () => {
    const { csrf, session } = await setup();
    let token = csrf.token(session);
    // One with a "-" or "_", so that its standard base64 spelling differs.
    while (!token.includes("-") && !token.includes("_")) token = csrf.token(session);
    const standard = Buffer.from(token, "base64url").toString("base64");
    assert.notEqual(standard, token);
    for (const bad of [
      token.slice(1),
      token.slice(0, -1),
      `${token}A`,
      `${token}==`,
      `${token.slice(0, -1)}=`,
      standard,
      token.replace(/[A-Za-z]/, (c) => String.fromCharCode(c.charCodeAt(0) ^ 32)), // case flip
      " ".repeat(TOKEN_CHARS),
      "A".repeat(TOKEN_CHARS),
      42,
      {},
      [token],
      Buffer.from(token),
    ]) {
      const result = csrf.verify(session, bad);
      assert.deepEqual(
        result.ok ? result : result.reason,
        "invalid token",
        String(bad).slice(0, 20),
      );
    }
    for (const missing of [null, undefined, ""]) {
      const result = csrf.verify(session, missing);
      assert.equal(result.ok ? "ok" : result.reason, "missing token");
    }
  });

  test("a token of another session fails", async () => {
    const { sessions, csrf, session } = await setup();
    const other = await sessions.load(new Request("https://example.com/"));
    const theirs = csrf.token(other);
    csrf.token(session);
    const result = csrf.verify(session, theirs);
    assert.equal(result.ok ? "ok" : result.reason, "invalid token");
  });

  test("a token made with another key ring fails, on the very same session secret", async () => {
    const { csrf, session } = await setup();
    const foreign = createCsrf({ keys: new KeyRing(OTHER_SECRET) });
    const token = foreign.token(session); // reuses the secret already in the session
    assert.equal(foreign.verify(session, token).ok, true);
    assert.equal(csrf.verify(session, token).ok, false);
    assert.equal(foreign.verify(session, csrf.token(session)).ok, false);
  });

  test("a token made with another purpose's key fails", async () => {
    const { csrf, session } = await setup();
    csrf.token(session);
    const secret = sessionState(session).record.data[CSRF_SESSION_KEY] as string;
    const ring = new KeyRing(SECRET);
    // Same format and key id (ids are shared by the purposes of one secret),
    // another HKDF purpose: refused.
    for (const purpose of ["session", "id", "flash", "csrf2"]) {
      const token = maskToken(ring.keys(purpose)[0]!, secret);
      assert.equal(csrf.verify(session, token).ok, false, purpose);
    }
    assert.equal(csrf.verify(session, maskToken(ring.keys("csrf")[0]!, secret)).ok, true);
    // Nor does a value signed for another purpose.
    assert.equal(csrf.verify(session, createSigner(ring, "csrf").sign(secret, "_csrf")).ok, false);
  });

  test("rotating the secrets: a token of an older secret still verifies; dropped, it fails", async () => {
    const { session } = await setup([OLD_SECRET]);
    const before = createCsrf({ keys: new KeyRing(OLD_SECRET) });
    const token = before.token(session);
    const rotated = createCsrf({ keys: new KeyRing([SECRET, OLD_SECRET]) });
    assert.equal(rotated.verify(session, token).ok, true);
    // New tokens use the newest key, which the old ring does not know.
    const fresh = rotated.token(session);
    assert.equal(rotated.verify(session, fresh).ok, true);
    assert.equal(before.verify(session, fresh).ok, false);
    const dropped = createCsrf({ keys: new KeyRing(SECRET) });
    assert.equal(dropped.verify(session, token).ok, false);
    assert.equal(dropped.verify(session, fresh).ok, true);
  });

  test("rotate() invalidates every earlier token", async () => {
    const { csrf, session } = await setup();
    const old = [csrf.token(session), csrf.token(session)];
    const state = sessionState(session);
    const secret = state.record.data[CSRF_SESSION_KEY];
    state.changed.clear();
    csrf.rotate(session);
    assert.notEqual(state.record.data[CSRF_SESSION_KEY], secret);
    assert.ok(state.changed.has(CSRF_SESSION_KEY), "the new secret is saved");
    for (const token of old) {
      const result = csrf.verify(session, token);
      assert.equal(result.ok ? "ok" : result.reason, "invalid token");
    }
    assert.equal(csrf.verify(session, csrf.token(session)).ok, true);
  });

  test("a session without a secret, or with a malformed one: 'no session'; token() replaces it", async () => {
    const { csrf, session } = await setup();
    const token = csrf.token(session);
    const fresh = await setup();
    const result = fresh.csrf.verify(fresh.session, token);
    assert.equal(result.ok ? "ok" : result.reason, "no session");

    const data = sessionState(session).record.data;
    for (const bad of [42, "short", null, { a: 1 }, "x".repeat(44)]) {
      data[CSRF_SESSION_KEY] = bad;
      const r = csrf.verify(session, token);
      assert.equal(r.ok ? "ok" : r.reason, "no session", JSON.stringify(bad));
    }
    const replaced = csrf.token(session);
    assert.equal(typeof data[CSRF_SESSION_KEY], "string");
    assert.equal((data[CSRF_SESSION_KEY] as string).length, 43);
    assert.equal(csrf.verify(session, replaced).ok, true);
  });

  test("tokenMatches never throws on input", () => {
    const keys = new KeyRing(SECRET).keys("csrf");
    for (const input of [
      undefined,
      null,
      1,
      "",
      "%".repeat(92),
      "\u0000".repeat(92),
      "é".repeat(92),
    ]) {
      assert.equal(tokenMatches(keys, "s".repeat(43), input), false);
    }
  });
});

test("the MAC is HMAC-SHA256 over 0x01 | the session's CSRF secret, under the csrf key", async () => {
  const { createHmac } = await import("node:crypto");
  const [key] = new KeyRing(SECRET).keys("csrf");
  const secret = "s".repeat(43);
  const bytes = Buffer.from(maskToken(key!, secret), "base64url");
  const mac = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) mac[i] = bytes[5 + i]! ^ bytes[37 + i]!;
  const expected = createHmac("sha256", key!.key)
    .update(Buffer.from([1]))
    .update(secret)
    .digest();
  assert.deepEqual(mac, expected);
});

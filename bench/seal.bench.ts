// Seal + open of a ~220-byte session, side by side with the peers that keep
// the session in an encrypted cookie:
// - @fastify/secure-session: libsodium secretbox (XSalsa20-Poly1305) through sodium-native;
// - iron-session: iron seal (AES-256-CBC + HMAC-SHA256, PBKDF2 per token) through WebCrypto.
// Each case serialises the data, seals it into a cookie value, opens that
// value and parses the data back, which is what a request that changes the
// session costs in crypto and encoding.
//
// BENCH_BASELINE=<another checkout> adds tessera on that checkout's code
// ("before") to the same interleaved run, for the before/after ratio.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import secureSession from "@fastify/secure-session";
import Fastify from "fastify";
import { sealData, unsealData } from "iron-session";
import { KeyRing } from "../src/crypto/keys.ts";
import { resolveExpiry } from "../src/session/expiry.ts";
import type { SessionRecord } from "../src/session/record.ts";
import { sealedCookieStore } from "../src/session/sealed-cookie.ts";
import { compare, compareAsync } from "./harness.ts";

const data = {
  userId: "u_8f14e45fceea167a5a36dedd4bea2543",
  name: "Alice Example",
  roles: ["admin", "editor"],
  visits: 42,
  prefs: { theme: "dark", lang: "en-GB", tz: "Europe/London" },
  cart: [
    { sku: "A-1001", qty: 2 },
    { sku: "B-2002", qty: 1 },
  ],
};
const json = JSON.stringify(data);
console.log(`session data: ${json.length} bytes of JSON`);

const secret = randomBytes(32).toString("base64url");

// tessera: the default store, as the manager drives it.
const store = sealedCookieStore();
store.setup?.({ keys: new KeyRing(secret), expiry: resolveExpiry() });
const baseline = process.env.BENCH_BASELINE;
let before: typeof store | undefined;
if (baseline !== undefined) {
  const from = (path: string) => import(join(baseline, path));
  const old = (await from("src/session/sealed-cookie.ts")).sealedCookieStore() as typeof store;
  const { KeyRing: OldRing } = await from("src/crypto/keys.ts");
  const { resolveExpiry: oldExpiry } = await from("src/session/expiry.ts");
  old.setup?.({ keys: new OldRing(secret), expiry: oldExpiry() });
  before = old;
}
const now = Date.now();
const record: SessionRecord = {
  id: "",
  data,
  flash: [],
  createdAt: now,
  lastActiveAt: now,
  permanent: false,
};
const context = { cookieName: "__Host-session", now };
const tessera = () => store.get(store.set("", record, context) as string, context);
const tesseraBefore = () => before!.get(before!.set("", record, context) as string, context);

// @fastify/secure-session: its own decorators on a ready instance.
const app = Fastify();
await app.register(secureSession, { key: randomBytes(32), cookieName: "session" });
await app.ready();
// createSecureSession adds its own "__ts" key to the object it is given: pass a copy.
const fastifySeal = () => {
  const cookie = app.encodeSecureSession(app.createSecureSession({ ...data }));
  return app.decodeSecureSession(cookie);
};

// iron-session: its exported seal/unseal.
const password = randomBytes(32).toString("hex");
const iron = async () => unsealData(await sealData(data, { password }), { password });

// Every case must round-trip the same data before it is timed.
assert.deepEqual((tessera() as SessionRecord).data, data);
if (before !== undefined) assert.deepEqual((tesseraBefore() as SessionRecord).data, data);
const { __ts: _ts, ...fastifyData } = (fastifySeal()?.data() ?? {}) as Record<string, unknown>;
assert.deepEqual(fastifyData, data);
assert.deepEqual(await iron(), data);
console.log(
  `cookie value length: tessera ${(store.set("", record, context) as string).length}, secure-session ${app.encodeSecureSession(app.createSecureSession({ ...data })).length}, iron ${(await sealData(data, { password })).length}`,
);

compare("seal + open, ~220-byte session (sync)", [
  { name: "@fastify/secure-session", fn: fastifySeal },
  ...(before === undefined
    ? []
    : [{ name: "tessera sealedCookieStore before", fn: tesseraBefore }]),
  { name: "tessera sealedCookieStore", fn: tessera },
]);
await compareAsync("seal + open, ~220-byte session (awaited, with the async peer)", [
  { name: "iron-session", fn: iron },
  { name: "@fastify/secure-session", fn: fastifySeal },
  { name: "tessera sealedCookieStore", fn: tessera },
]);
await app.close();

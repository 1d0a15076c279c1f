// What it measures: reading a realistic 10-cookie `Cookie` header (short ids,
// a long base64url session value, one percent-encoded value) and writing one
// session `Set-Cookie`, each against jshttp/cookie@2, the parser Express uses.
// Run: node bench/cookie-parse.bench.ts  (peers: npm install --prefix bench)

import { strict as assert } from "node:assert";
import {
  parseCookie as peerParseCookie,
  stringifySetCookie as peerStringifySetCookie,
} from "cookie";
import { getCookie, parseCookie, stringifySetCookie } from "../src/cookie/index.ts";
import { compare } from "./harness.ts";

// A sealed session of about 250 bytes of JSON, as base64url: 344 characters.
const session = Buffer.from(Array.from({ length: 258 }, (_, i) => (i * 97 + 13) % 256)).toString(
  "base64url",
);

const header = [
  "_ga=GA1.2.1439873621.1732531200",
  "_gid=GA1.2.1095727264.1732531200",
  "theme=dark",
  "lang=en-GB",
  `__Host-session=${session}`,
  "csrf=q8Xy3mL0pV2sT7wZ4bN6cR1dF9gH5jK",
  "flash=Saved%20your%20changes%20%E2%9C%93",
  "ab=b",
  "sidebar=collapsed",
  "_fbp=fb.1.1732531200000.1398766421",
].join("; ");

// The three parsers must agree before their speed means anything.
const ours = parseCookie(header);
assert.deepEqual({ ...ours }, { ...peerParseCookie(header) });
assert.equal(getCookie(header, "__Host-session"), session);
assert.equal(ours.flash, "Saved your changes ✓");

compare("Cookie header, 10 cookies (parse)", [
  { name: "cookie@2 parseCookie", fn: () => peerParseCookie(header) },
  { name: "tessera parseCookie", fn: () => parseCookie(header) },
  { name: "tessera getCookie (one name)", fn: () => getCookie(header, "__Host-session") },
]);

const options = {
  path: "/",
  secure: true,
  httpOnly: true,
  sameSite: "lax",
  maxAge: 1_209_600,
} as const;
assert.equal(
  stringifySetCookie("__Host-session", session, options),
  peerStringifySetCookie({ name: "__Host-session", value: session, ...options }),
);

compare("Set-Cookie for a session (stringify)", [
  {
    name: "cookie@2 stringifySetCookie",
    fn: () => peerStringifySetCookie({ name: "__Host-session", value: session, ...options }),
  },
  {
    name: "tessera stringifySetCookie",
    fn: () => stringifySetCookie("__Host-session", session, options),
  },
]);

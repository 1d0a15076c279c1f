// Property-based test of the manager's load path: any Cookie header gives a
// session (a fresh anonymous one unless a valid cookie came), never a throw.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { fuzzRuns } from "../testing/fuzz-runs.ts";
import { createSessions } from "./sessions.ts";

test("load() turns any Cookie header into an anonymous session", async () => {
  const sessions = createSessions({ secrets: randomBytes(32).toString("base64url") });
  const value = fc.string({
    unit: fc.constantFrom(...'AQbc09-_.=%; \t"'.split("")),
    maxLength: 80,
  });
  await fc.assert(
    fc.asyncProperty(value, fc.boolean(), async (v, named) => {
      const header = named ? `__Host-session=${v}` : v;
      const session = await sessions.load({ headers: { get: () => header } });
      assert.equal(session.isNew, true);
    }),
    { numRuns: fuzzRuns(20_000) },
  );
});

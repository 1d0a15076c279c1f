// The session work of one request through tessera/node, without the network:
// load the session from the Cookie header, read (and for the visit counter,
// change) it, commit its headers onto the response. The request and response
// are minimal stand-ins for node:http's, so this is the part of a request's
// cost that is tessera's own (bench/http measures the whole request).
//
// BENCH_BASELINE=<another checkout> runs the same cases on that checkout's
// code too ("before"), interleaved in one run, for the before/after ratio of
// an optimisation.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type BenchCase, compareAsync } from "./harness.ts";

type Visits = { visits?: number };
type Code = {
  createSessions: typeof import("../src/manager/sessions.ts").createSessions;
  load: typeof import("../src/adapters/node.ts").load;
  commit: typeof import("../src/adapters/node.ts").commit;
  memoryStore: typeof import("../src/stores/memory.ts").memoryStore;
};

async function code(root: string): Promise<Code> {
  const { createSessions } = await import(join(root, "src/manager/sessions.ts"));
  const { load, commit } = await import(join(root, "src/adapters/node.ts"));
  const { memoryStore } = await import(join(root, "src/stores/memory.ts"));
  return { createSessions, load, commit, memoryStore };
}

const secret = randomBytes(32).toString("base64url");
const PRIMED = 1000;

// A response that keeps its headers in a map, as ServerResponse does.
function response(): ServerResponse {
  const headers = new Map<string, string | string[]>();
  return {
    statusCode: 200,
    headersSent: false,
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader(name: string, value: string | string[]) {
      headers.set(name.toLowerCase(), value);
      return this;
    },
    appendHeader(name: string, value: string) {
      const key = name.toLowerCase();
      const old = headers.get(key);
      headers.set(key, old === undefined ? value : [...[old].flat(), value]);
      return this;
    },
  } as unknown as ServerResponse;
}

const request = (cookie: string) =>
  ({ headers: { host: "example.com", cookie } }) as unknown as IncomingMessage;

// The cases of one checkout: sealed cookie and memory store, visit counter and read-only.
async function cases(label: string, root: string): Promise<BenchCase[]> {
  const tessera = await code(root);
  const out: BenchCase[] = [];
  for (const storage of ["sealed cookie", "memory store"] as const) {
    const sessions = tessera.createSessions<Visits>({
      secrets: [secret],
      ...(storage === "memory store" ? { store: tessera.memoryStore() } : {}),
    });
    // Prime: the first visit of each of PRIMED visitors.
    const cookies: string[] = [];
    for (let i = 0; i < PRIMED; i++) {
      const session = await tessera.load(sessions, request(""));
      session.set("visits", 1);
      const res = response();
      await tessera.commit(sessions, session, res);
      const set = [res.getHeader("set-cookie")].flat()[0] as string;
      cookies.push(set.slice(0, set.indexOf(";")));
    }
    let i = 0;
    const visit = async () => {
      const session = await tessera.load(sessions, request(cookies[i++ % PRIMED]!));
      const visits = (session.get("visits") ?? 0) + 1;
      session.set("visits", visits);
      const res = response();
      await tessera.commit(sessions, session, res);
      return res;
    };
    const read = async () => {
      const session = await tessera.load(sessions, request(cookies[i++ % PRIMED]!));
      const res = response();
      await tessera.commit(sessions, session, res);
      return session.get("visits");
    };
    // Checked before measured: the counter goes on, and a read writes no cookie.
    const res = await visit();
    assert.match(String(res.getHeader("set-cookie") ?? "session-id-kept"), /./);
    assert.ok(((await read()) ?? 0) >= 1);
    out.push({ name: `${label}${storage}, visit counter`, fn: visit });
    out.push({ name: `${label}${storage}, read-only`, fn: read });
  }
  return out;
}

const here = join(import.meta.dirname, "..");
const after = await cases("", here);
const baseline = process.env.BENCH_BASELINE;
if (baseline === undefined) {
  await compareAsync("one request's session work through tessera/node", after);
} else {
  const before = await cases("before: ", baseline);
  for (let c = 0; c < after.length; c++) {
    await compareAsync(`before → after: ${after[c]!.name}`, [before[c]!, after[c]!]);
  }
}

// The HTTP benchmark: tessera on bare node:http and through each adapter,
// side by side with the same framework and no session (the floor) and with
// the framework's usual session plugins (and Flask under gunicorn when it is
// installed), in one run, in two scenarios: the visit counter (GET /count:
// read, add one, write) and read-only (GET /read). Each server is its own
// process pinned to CPU 0; the load generator (wrk, with rotate.lua) is
// another process pinned to CPU 1. Every server is first checked for correct
// answers (the count goes 1 → 2 with the cookie it returned, /read answers 2
// and changes nothing), then primed with 1000 sessions whose cookies the
// client rotates through. Rounds are interleaved (A B C … A B C …, each
// scenario in turn); the median is reported with its ratio to bare node:http,
// to the same framework with no session, and, for the peers, tessera's ratio
// to them on the same kind of storage.
//
//   node bench/http/run.ts                 full run (needs wrk: apt-get install wrk), about 8 minutes
//   BENCH_SMOKE=1 node bench/http/run.ts   correctness checks and 0.3 s of fetch load per server and scenario; no wrk
//
// BENCH_SECONDS (default 3), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32) and
// BENCH_ONLY (a comma-separated list of case ids or frameworks) tune a run.
// BENCH_BASELINE=<another checkout> adds each tessera case again, served by
// that checkout's code ("before"), so an optimisation is measured before and
// after in the same sweep; tessera× then reads after over before.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CASES, type Case, SCENARIOS, target } from "./cases.ts";

const here = import.meta.dirname;
const SMOKE = process.env.BENCH_SMOKE === "1";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PRIMED = SMOKE ? 100 : 1000;
// Clock ticks per second of /proc/<pid>/stat (USER_HZ).
const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
const only = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);

const has = (command: string, args: string[]) => !spawnSync(command, args).error;
const pin = has("taskset", ["-V"]) && availableParallelism() >= 2;
const pinned = (cpu: number, command: string, args: string[]): [string, string[]] =>
  pin ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];
// Flask runs under Debian's gunicorn and python3-flask, when both are there.
const flask =
  has("gunicorn", ["--version"]) &&
  spawnSync("/usr/bin/python3", ["-c", "import flask"]).status === 0;

const baseline = process.env.BENCH_BASELINE;
const cases = CASES.filter(
  (c) =>
    (only.length === 0 || only.includes(c.id) || only.includes(c.framework)) &&
    (c.framework !== "flask" || flask),
).flatMap((c) =>
  baseline && c.kind === "tessera" ? [{ ...c, label: `${c.label} before`, before: true }, c] : [c],
);
if (!flask) console.log("Flask skipped: needs gunicorn and python3-flask (apt-get install)");

if (!SMOKE && !has("wrk", ["-v"])) {
  console.error("bench/http needs wrk for a full run: apt-get install -y wrk (or BENCH_SMOKE=1)");
  process.exit(1);
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time per request, µs (Linux: from /proc). */
  cpu: number;
}

interface Running {
  case: Case;
  url: string;
  child: ChildProcess;
  cookies: string;
  /** Samples per scenario path. */
  samples: Map<string, Sample[]>;
  error?: string;
}

function start(c: Case): Promise<Running> {
  let command: string;
  let args: string[];
  if (c.framework === "flask") {
    // One worker process (one core), threads for keep-alive connections.
    const port = 20000 + Math.floor(Math.random() * 20000);
    [command, args] = pinned(0, "gunicorn", [
      "--chdir",
      here,
      "-w",
      "1",
      "-k",
      "gthread",
      "--threads",
      "8",
      "--keep-alive",
      "1800",
      "--log-level",
      "warning",
      "-b",
      `127.0.0.1:${port}`,
      "flask_app:app",
    ]);
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
    const running: Running = {
      case: c,
      url: `http://127.0.0.1:${port}`,
      child,
      cookies: "",
      samples: new Map(),
    };
    return waitFor(running);
  }
  const dir = c.before ? join(baseline!, "bench", "http") : here;
  [command, args] = pinned(0, process.execPath, [join(dir, "server.ts"), c.id]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port) {
        resolve({
          case: c,
          url: `http://127.0.0.1:${port}`,
          child,
          cookies: "",
          samples: new Map(),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`${c.id} exited with ${code}`)));
  });
}

// A server that prints nothing when ready (gunicorn): poll until it answers.
async function waitFor(server: Running): Promise<Running> {
  for (let tries = 0; tries < 100; tries++) {
    try {
      await (await fetch(`${server.url}/read`)).arrayBuffer();
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${server.case.id} did not answer within 10 s`);
}

// The cookies of a response as a browser keeps them (the last of a name
// wins: hono-sessions sends its cookie twice), as a Cookie header value.
function cookiesOf(response: Response): string {
  const jar = new Map<string, string>();
  for (const value of response.headers.getSetCookie()) {
    const pair = value.split(";")[0]!;
    jar.set(pair.slice(0, pair.indexOf("=")), pair);
  }
  return [...jar.values()].join("; ");
}

async function text(url: string, cookie?: string): Promise<[number, string, Response]> {
  const response = await fetch(url, cookie ? { headers: { cookie } } : {});
  return [response.status, await response.text(), response];
}

// The count goes 1 → 2 with the cookie the first answer set; /read answers
// 2 with that cookie and changes nothing (a second /read answers 2 too).
async function check(server: Running): Promise<void> {
  const [status, body, first] = await text(`${server.url}/count`);
  if (status !== 200 || body !== "1") throw new Error(`first answer ${status} ${body}`);
  if (server.case.kind === "none" || server.case.kind === "bytes") return;
  const cookie = cookiesOf(first);
  if (cookie === "") throw new Error("no cookie on the first answer");
  const [, again, second] = await text(`${server.url}/count`, cookie);
  if (again !== "2") throw new Error(`the count did not go on with the cookie: ${again}`);
  const latest = cookiesOf(second) || cookie;
  for (let i = 0; i < 2; i++) {
    const [readStatus, read] = await text(`${server.url}/read`, latest);
    if (readStatus !== 200 || read !== "2") throw new Error(`/read answered ${readStatus} ${read}`);
  }
}

async function prime(server: Running): Promise<void> {
  const lines: string[] = [];
  if (server.case.kind === "none") lines.push("x=1");
  // The bytes floor sends one fixed cookie, of a tessera visit counter's size.
  while (
    lines.length < (server.case.kind === "none" || server.case.kind === "bytes" ? 1 : PRIMED)
  ) {
    const batch = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const response = await fetch(`${server.url}/count`);
        await response.arrayBuffer();
        return cookiesOf(response);
      }),
    );
    lines.push(...batch.filter((line) => line !== ""));
  }
  server.cookies = join(
    tmpdir(),
    `tessera-bench-${server.case.id}${server.case.before ? "-before" : ""}.txt`,
  );
  writeFileSync(server.cookies, `${lines.join("\n")}\n`);
}

// The CPU time so far of the server and its child processes (gunicorn's worker), in µs.
function cpuOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let used = ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
    for (const child of children.split(" ").filter(Boolean)) used += cpuOf(Number(child));
    return used;
  } catch {
    return Number.NaN;
  }
}

// wrk's summary: "N requests in Xs", "Requests/sec: 12345.67", the latency
// distribution (--latency), and errors.
function wrk(server: Running, path: string, seconds: number): Sample {
  const [command, args] = pinned(1, "wrk", [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--latency",
    "-s",
    join(here, "rotate.lua"),
    server.url,
    "--",
    server.cookies,
    path,
  ]);
  const before = cpuOf(server.child.pid);
  const out = execFileSync(command, args, { encoding: "utf8" });
  const used = cpuOf(server.child.pid) - before;
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const errors = /Socket errors: (.*)/.exec(out)?.[1];
  if (bad || (errors && /(?:read|write|timeout) [1-9]/.test(errors))) {
    throw new Error(`wrk saw failures: ${bad ?? 0} non-2xx; socket errors: ${errors ?? "none"}`);
  }
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const latency = (percent: number) => {
    const match = new RegExp(`\\s${percent}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    const unit = { us: 0.001, ms: 1, s: 1000 }[match?.[2] ?? "ms"] ?? 1;
    return match ? Number(match[1]) * unit : Number.NaN;
  };
  return { rps, p50: latency(50), p99: latency(99), cpu: used / requests };
}

// The smoke load: fetch from this process for 0.3 s, rotating cookies. Not a measurement.
async function smokeLoad(server: Running, path: string): Promise<Sample> {
  const cookies = readFileSync(server.cookies, "utf8").split("\n").filter(Boolean);
  const end = performance.now() + 300;
  let done = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end) {
        const response = await fetch(`${server.url}${path}`, {
          headers: { cookie: cookies[i++ % cookies.length]! },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`status ${response.status} under load`);
        done++;
      }
    }),
  );
  return { rps: done / 0.3, p50: Number.NaN, p99: Number.NaN, cpu: Number.NaN };
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const versionOf = (name: string) => {
  for (const base of [join(here, "..", "node_modules"), join(here, "..", "..", "node_modules")]) {
    try {
      return JSON.parse(readFileSync(join(base, name, "package.json"), "utf8")).version as string;
    } catch {}
  }
  return "?";
};
const peers = [
  "express",
  "fastify",
  "hono",
  "express-session",
  "connect-redis",
  "redis",
  "cookie-session",
];
const more = [
  "@fastify/secure-session",
  "@fastify/session",
  "iron-session",
  "hono-sessions",
  "wrk",
];
console.log(
  `bench/http: ${cases.length} servers, node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `versions: ${[...peers, ...more.slice(0, -1)].map((name) => `${name} ${versionOf(name)}`).join(", ")}${
    flask
      ? `, Flask ${spawnSync("/usr/bin/python3", ["-c", "import flask; print(flask.__version__)"], { encoding: "utf8" }).stdout.trim()}, gunicorn ${spawnSync("gunicorn", ["--version"], { encoding: "utf8" }).stdout.trim().split(" ").pop()}`
      : ""
  }`,
);
console.log(
  pin
    ? "server pinned to CPU 0, load generator to CPU 1 (taskset)"
    : "not pinned (no taskset or a single CPU): numbers are noisier",
);

const servers: Running[] = [];
let failed = 0;
const fail = (server: Running, error: unknown) => {
  server.error = String(error);
  failed++;
  console.log(`FAIL ${server.case.id}: ${server.error}`);
};
try {
  for (const c of cases) servers.push(await start(c));
  for (const server of servers) {
    try {
      await check(server);
      await prime(server);
    } catch (error) {
      fail(server, error);
    }
  }
  const live = () => servers.filter((s) => s.error === undefined);
  if (!SMOKE) for (const server of live()) for (const { path } of SCENARIOS) wrk(server, path, 1); // warm up the JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const { path } of SCENARIOS) {
      for (const server of live()) {
        try {
          const result = SMOKE ? await smokeLoad(server, path) : wrk(server, path, SECONDS);
          server.samples.set(path, [...(server.samples.get(path) ?? []), result]);
        } catch (error) {
          fail(server, error);
        }
      }
    }
  }
  // A last correctness check: the servers still count after the load.
  for (const server of live()) {
    try {
      await check(server);
    } catch (error) {
      fail(server, `after the load: ${error} ${(error as Error).cause ?? ""}`);
    }
  }
} finally {
  for (const server of servers) {
    server.child.kill();
    if (server.cookies !== "") rmSync(server.cookies, { force: true });
  }
}

// The tables. Ratios are of median req/s; the server's CPU time per request
// is printed beside them (on a machine shared with other work, req/s also
// counts the time the server waited for its core, and CPU time does not).
const stat = (s: Running | undefined, path: string, field: keyof Sample) =>
  s && s.error === undefined
    ? median((s.samples.get(path) ?? []).map((x) => x[field]))
    : Number.NaN;
const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : "-");
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const misses: string[] = [];
const bare = servers.find((s) => s.case.id === "node");
for (const { path, label } of SCENARIOS) {
  console.log(
    `\nGET ${path}, ${label}; ${PRIMED} rotating session cookies; ${
      SMOKE
        ? "SMOKE: 0.3 s of fetch load from this process, 1 round (checks only, not a measurement)"
        : `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s × ${ROUNDS} rounds interleaved, medians`
    }`,
  );
  console.log(
    `${"framework".padEnd(9)}${"case".padEnd(37)}${"req/s".padStart(8)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"CPU µs".padStart(8)}${"×node".padStart(8)}${"×bare".padStart(8)}${"tessera×".padStart(10)}`,
  );
  for (const s of servers) {
    const rps = stat(s, path, "rps");
    const floor = servers.find(
      (t) => t.case.framework === s.case.framework && t.case.kind === "none",
    );
    let versus = "";
    if (s.case.before) {
      const after = servers.find((t) => t.case.id === s.case.id && !t.case.before);
      versus = x(stat(after, path, "rps") / rps);
    } else if (s.case.kind === "peer") {
      const ours =
        servers.find(
          (t) =>
            t.case.framework === s.case.framework &&
            t.case.kind === "tessera" &&
            !t.case.before &&
            t.case.storage === s.case.storage,
        ) ??
        servers.find(
          (t) =>
            t.case.framework === "node" &&
            t.case.kind === "tessera" &&
            !t.case.before &&
            t.case.storage === s.case.storage,
        );
      const ratio = stat(ours, path, "rps") / rps;
      versus = x(ratio);
      if (path === "/count" && ours && !(ratio > 1))
        misses.push(`${ours.case.framework}: ${ours.case.label} is not ahead of ${s.case.label}`);
    }
    const goal = target(s.case, path);
    const toFloor = floor ? rps / stat(floor, path, "rps") : Number.NaN;
    const toNode = rps / stat(bare, path, "rps");
    if (goal !== undefined && !s.case.before) {
      const got = s.case.framework === "node" ? toNode : toFloor;
      if (!(got >= goal))
        misses.push(
          `${path} ${s.case.framework}: ${s.case.label} is ${x(got)} (target ≥ ${goal}x)`,
        );
    }
    console.log(
      `${s.case.framework.padEnd(9)}${s.case.label.padEnd(37)}${(s.error ? "FAILED" : Math.round(rps).toLocaleString("en-US")).padStart(8)}${fixed(stat(s, path, "p50"), 2).padStart(8)}${fixed(stat(s, path, "p99"), 2).padStart(8)}${fixed(stat(s, path, "cpu"), 1).padStart(8)}${x(toNode).padStart(8)}${(floor ? x(toFloor) : "").padStart(8)}${versus.padStart(10)}`,
    );
  }
}
console.log(
  "\n×node: req/s over bare node:http; ×bare: over the same framework with no session; tessera×: tessera (same framework and storage, else on node:http) over this peer",
);
if (!SMOKE) {
  console.log(
    misses.length === 0 ? "targets: all met" : `targets missed:\n  ${misses.join("\n  ")}`,
  );
}
console.log(`\nbench/http: ${servers.length - failed} servers ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The HTTP benchmark: the visit counter (GET /count: read, add one, write)
// through each tessera adapter, side by side with the same framework and no
// session (the floor) and with the framework's usual session plugins, in one
// run. Each server is its own process pinned to CPU 0; the load generator
// (wrk, with rotate.lua) is another process pinned to CPU 1. Every server is
// first checked for a correct answer (the count goes 1 → 2 with the cookie it
// returned), then primed with 1000 sessions whose cookies the client rotates
// through. Rounds are interleaved (A B C … A B C …); the median req/s is
// reported with its ratio to the floor and, for the peers, tessera's ratio to
// them on the same kind of storage.
//
//   node bench/http/run.ts                 full run (needs wrk: apt-get install wrk), a few minutes
//   BENCH_SMOKE=1 node bench/http/run.ts   correctness checks and 0.5 s of fetch load per server; no wrk
//
// BENCH_SECONDS (default 4), BENCH_ROUNDS (2), BENCH_CONNECTIONS (32) and
// BENCH_ONLY (a comma-separated list of case ids or frameworks) tune a run.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CASES, type Case } from "./cases.ts";

const here = import.meta.dirname;
const SMOKE = process.env.BENCH_SMOKE === "1";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PRIMED = SMOKE ? 100 : 1000;
// Clock ticks per second of /proc/<pid>/stat (USER_HZ).
const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
const only = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);
const cases = CASES.filter(
  (c) => only.length === 0 || only.includes(c.id) || only.includes(c.framework),
);

const has = (command: string, args: string[]) => !spawnSync(command, args).error;
const pin = has("taskset", ["-V"]) && availableParallelism() >= 2;
const pinned = (cpu: number, command: string, args: string[]): [string, string[]] =>
  pin ? ["taskset", ["-c", String(cpu), command, ...args]] : [command, args];

if (!SMOKE && !has("wrk", ["-v"])) {
  console.error("bench/http needs wrk for a full run: apt-get install -y wrk (or BENCH_SMOKE=1)");
  process.exit(1);
}

interface Running {
  case: Case;
  url: string;
  child: ChildProcess;
  cookies: string;
  samples: number[];
  p99: number[];
  /** Server CPU time per request, µs (Linux: from /proc). */
  cpu: number[];
  error?: string;
}

function start(c: Case): Promise<Running> {
  const [command, args] = pinned(0, process.execPath, [join(here, "server.ts"), c.id]);
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
          samples: [],
          p99: [],
          cpu: [],
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`${c.id} exited with ${code}`)));
  });
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

async function check(server: Running): Promise<void> {
  const first = await fetch(`${server.url}/count`);
  const body = await first.text();
  if (first.status !== 200 || body !== "1") throw new Error(`first answer ${first.status} ${body}`);
  if (server.case.kind === "none") return;
  const cookie = cookiesOf(first);
  if (cookie === "") throw new Error("no cookie on the first answer");
  const second = await fetch(`${server.url}/count`, { headers: { cookie } });
  const again = await second.text();
  if (again !== "2") throw new Error(`the count did not go on with the cookie: ${again}`);
}

async function prime(server: Running): Promise<void> {
  const lines: string[] = [];
  if (server.case.kind === "none") lines.push("x=1");
  while (lines.length < (server.case.kind === "none" ? 1 : PRIMED)) {
    const batch = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const response = await fetch(`${server.url}/count`);
        await response.arrayBuffer();
        return cookiesOf(response);
      }),
    );
    lines.push(...batch.filter((line) => line !== ""));
  }
  server.cookies = join(tmpdir(), `tessera-bench-${server.case.id}.txt`);
  writeFileSync(server.cookies, `${lines.join("\n")}\n`);
}

// The server's CPU time so far, in µs (utime + stime of /proc/<pid>/stat), if known.
function cpuOf(server: Running): number {
  try {
    const stat = readFileSync(`/proc/${server.child.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS;
  } catch {
    return Number.NaN;
  }
}

interface Sample {
  rps: number;
  p99: number;
  cpu: number;
}

// wrk's summary: "N requests in Xs", "Requests/sec: 12345.67", the 99% latency, and errors.
function wrk(server: Running, seconds: number): Sample {
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
  ]);
  const before = cpuOf(server);
  const out = execFileSync(command, args, { encoding: "utf8" });
  const used = cpuOf(server) - before;
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const errors = /Socket errors: (.*)/.exec(out)?.[1];
  if (bad || (errors && /(?:read|write|timeout) [1-9]/.test(errors))) {
    throw new Error(`wrk saw failures: ${bad ?? 0} non-2xx; socket errors: ${errors ?? "none"}`);
  }
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const unit = { us: 0.001, ms: 1, s: 1000 }[p99?.[2] ?? "ms"] ?? 1;
  return { rps, p99: p99 ? Number(p99[1]) * unit : Number.NaN, cpu: used / requests };
}

// The smoke load: fetch from this process for 0.5 s, rotating cookies. Not a measurement.
async function smokeLoad(server: Running): Promise<Sample> {
  const cookies = readFileSync(server.cookies, "utf8").split("\n").filter(Boolean);
  const end = performance.now() + 500;
  let done = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end) {
        const response = await fetch(`${server.url}/count`, {
          headers: { cookie: cookies[i++ % cookies.length]! },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`status ${response.status} under load`);
        done++;
      }
    }),
  );
  return { rps: done / 0.5, p99: Number.NaN, cpu: Number.NaN };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

console.log(
  `bench/http: ${cases.length} servers, node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  pin
    ? "server pinned to CPU 0, load generator to CPU 1 (taskset)"
    : "not pinned (no taskset or a single CPU): numbers are noisier",
);

const servers: Running[] = [];
let failed = 0;
try {
  for (const c of cases) servers.push(await start(c));
  for (const server of servers) {
    try {
      await check(server);
      await prime(server);
    } catch (error) {
      server.error = String(error);
      failed++;
      console.log(`FAIL ${server.case.id}: ${server.error}`);
    }
  }
  const live = servers.filter((s) => s.error === undefined);
  if (!SMOKE) for (const server of live) wrk(server, 1); // warm up the JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of live) {
      if (server.error !== undefined) continue;
      try {
        const result = SMOKE ? await smokeLoad(server) : wrk(server, SECONDS);
        server.samples.push(result.rps);
        server.p99.push(result.p99);
        server.cpu.push(result.cpu);
      } catch (error) {
        server.error = String(error);
        failed++;
        console.log(`FAIL ${server.case.id}: ${server.error}`);
      }
    }
  }
} finally {
  for (const server of servers) server.child.kill();
}

// The table. Throughput of a server pinned to one core is 1 / (CPU per
// request) when the core is its own; on a shared machine req/s also counts
// the time the server waited for the core, so the ratios use CPU per request
// when /proc gives it, and show the req/s ratio after it.
const rps = (s: Running | undefined) =>
  s && s.samples.length > 0 && s.error === undefined ? median(s.samples) : Number.NaN;
const cpu = (s: Running | undefined) =>
  s && s.cpu.length > 0 && s.error === undefined ? median(s.cpu) : Number.NaN;
const x = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : "-");
// How many times faster a is than b: by CPU per request, else by req/s.
const speed = (a: Running | undefined, b: Running | undefined) => {
  const byCpu = cpu(b) / cpu(a);
  return Number.isFinite(byCpu) ? byCpu : rps(a) / rps(b);
};
const both = (a: Running | undefined, b: Running | undefined) => {
  const byRps = rps(a) / rps(b);
  const byCpu = cpu(b) / cpu(a);
  return Number.isFinite(byCpu) ? `${x(byCpu)} (${x(byRps)})` : x(byRps);
};
console.log(
  `\nGET /count, ${PRIMED} rotating session cookies; ${
    SMOKE
      ? "SMOKE: 0.5 s of fetch load from this process, 1 round (checks only, not a measurement)"
      : `wrk -t1 -c${CONNECTIONS}, ${SECONDS} s × ${ROUNDS} rounds interleaved, medians`
  }`,
);
console.log(
  "ratios: by server CPU time per request, (by req/s) after; tessera/this: tessera on the same storage over this peer",
);
console.log(
  `${"framework".padEnd(10)}${"case".padEnd(36)}${"req/s".padStart(8)}${"p99 ms".padStart(8)}${"CPU µs/req".padStart(12)}${"vs none".padStart(17)}${"tessera/this".padStart(17)}`,
);
const misses: string[] = [];
for (const framework of ["express", "fastify", "hono"] as const) {
  const group = servers.filter((s) => s.case.framework === framework);
  if (group.length === 0) continue;
  const floor = group.find((s) => s.case.kind === "none");
  for (const s of group) {
    let versus = "";
    if (s.case.kind === "peer") {
      const ours = group.find(
        (t) => t.case.kind === "tessera" && t.case.storage === s.case.storage,
      );
      versus = both(ours, s);
      if (!(speed(ours, s) > 1)) {
        misses.push(`${framework}: ${ours?.case.label} is not ahead of ${s.case.label}`);
      }
    }
    if (s.case.kind === "tessera") {
      const target = framework === "express" ? 0.85 : 0.6;
      if (!(speed(s, floor) >= target)) {
        misses.push(
          `${framework}: ${s.case.label} is ${x(speed(s, floor))} of no session (target ≥ ${target}x)`,
        );
      }
    }
    const own = rps(s);
    const p99 = s.p99.length > 0 ? median(s.p99) : Number.NaN;
    const rate = Number.isFinite(own) ? Math.round(own).toLocaleString("en-US") : "-";
    console.log(
      `${framework.padEnd(10)}${s.case.label.padEnd(36)}${(s.error ? "FAILED" : rate).padStart(8)}${(Number.isFinite(p99) ? p99.toFixed(1) : "-").padStart(8)}${(Number.isFinite(cpu(s)) ? cpu(s).toFixed(1) : "-").padStart(12)}${both(s, floor).padStart(17)}${versus.padStart(17)}`,
    );
  }
}
if (!SMOKE) {
  console.log(
    misses.length === 0
      ? "\ntargets: all met (tessera ≥ 0.60x of no session, Express ≥ 0.85x; ahead of every peer)"
      : `\ntargets missed:\n  ${misses.join("\n  ")}`,
  );
}
console.log(`\nbench/http: ${servers.length - failed} servers ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

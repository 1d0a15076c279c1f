// Encode + decode of a Flask session cookie, side by side with Flask itself:
// tessera's createFlaskCodec in this process, and Flask's own serializer in
// a Python worker (bench/flask_bench.py) on the same data, for each Flask
// found (Debian's python3-flask and a pip-installed one may differ). Two
// payloads: a Flask-Login session and a larger one with a flashed message
// (both zlib-compressed). Both sides must write the same cookie for the
// same timestamp before anything is timed.
//
// The two sides are timed in turns: a round is one batch of Flask (per
// Flask found), then one batch of tessera of about the same duration, so
// that both meet the same load on a shared machine; the ratio is of the
// medians over the rounds, by the wall clock and by process CPU time.
// compare() first shows how tessera's time splits into encode and decode.
// Target: tessera ≥ 4× faster than Flask.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { createFlaskCodec } from "../src/flask/codec.ts";
import { dumpFlaskJson } from "../src/flask/json.ts";
import { FlaskTuple } from "../src/flask/values.ts";
import { compare } from "./harness.ts";

const smoke = process.env.BENCH_SMOKE === "1";
// Both sides share the machine: a loaded one slows them unevenly.
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} (1, 5, 15 min) on ${cpus().length} CPUs`;
console.log(`# ${load()}`);
// Flask calls per batch, and rounds.
const NUMBER = smoke ? 50 : 2000;
const ROUNDS = smoke ? 1 : 9;

const payloads: [string, Record<string, unknown>][] = [
  [
    "Flask-Login session",
    {
      _fresh: true,
      _id: "0f4c1b0e5a1b4d7e9c3f2a8b6d5e4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f",
      _user_id: "42",
      csrf_token: "8d5e4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d",
    },
  ],
  [
    "profile, cart and a flash",
    {
      userId: "u_8f14e45fceea167a5a36dedd4bea2543",
      name: "Alice Example",
      roles: ["admin", "editor"],
      visits: 42,
      prefs: { theme: "dark", lang: "en-GB", tz: "Europe/London" },
      cart: [
        { sku: "A-1001", qty: 2 },
        { sku: "B-2002", qty: 1 },
      ],
      _flashes: [new FlaskTuple("message", "Saved")],
    },
  ],
];

// Every python3 with Flask, one per Flask version.
function flaskPythons(): string[] {
  const found = new Map<string, string>();
  for (const candidate of [process.env.TESSERA_FLASK_PYTHON, "/usr/bin/python3", "python3"]) {
    if (!candidate) continue;
    const probe = spawnSync(
      candidate,
      ["-c", "import importlib.metadata as m, flask; print(m.version('flask'))"],
      { encoding: "utf8" },
    );
    const v = probe.status === 0 ? probe.stdout.trim() : "";
    if (v !== "" && !found.has(v)) found.set(v, candidate);
  }
  return [...found.values()];
}

const pythons = flaskPythons();
if (pythons.length === 0) {
  const message =
    "python3 with Flask not found (install python3-flask, or set TESSERA_FLASK_PYTHON)";
  if (process.env.CI === "true") throw new Error(`${message}: required when CI=true`);
  console.warn(`\n*** SKIPPING the Flask side of this benchmark: ${message} ***\n`);
}

// bench/flask_bench.py in one Python: a JSON line in, a JSON line out.
class FlaskWorker {
  readonly #child;
  readonly #lines: AsyncIterator<string>;
  constructor(python: string) {
    this.#child = spawn(python, [new URL("./flask_bench.py", import.meta.url).pathname], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }
  async call(message: object): Promise<Record<string, unknown>> {
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
    const line = await this.#lines.next();
    if (line.done) throw new Error("bench/flask_bench.py exited (its error is above)");
    return JSON.parse(line.value) as Record<string, unknown>;
  }
  close(): void {
    this.#child.stdin.end();
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const secret = randomBytes(32).toString("base64url");
const codec = createFlaskCodec({ secretKey: secret });
const timestamp = Math.floor(Date.now() / 1000);
const at = timestamp * 1000;

const summary: string[] = [];
for (const [name, data] of payloads) {
  const json = dumpFlaskJson(data);
  const cookie = codec.encode(data, { timestamp: at });
  console.log(
    `\n## ${name}: ${json.length} bytes of tagged JSON, cookie ${cookie.length} bytes${cookie.startsWith(".") ? " (compressed)" : " (not compressed)"}`,
  );

  const flasks = [];
  for (const python of pythons) {
    const worker = new FlaskWorker(python);
    const setup = (await worker.call({ secret, data: json, timestamp })) as {
      cookie: string;
      flask: string;
      python: string;
    };
    // Same bytes first, then speed.
    assert.equal(cookie, setup.cookie, `tessera and Flask ${setup.flask} write different cookies`);
    console.log(`Flask ${setup.flask} (Python ${setup.python}) writes the same cookie: yes`);
    flasks.push({ ...setup, worker, wall: [] as number[], cpu: [] as number[] });
  }

  const roundTrip = () => codec.decode(codec.encode(data, { timestamp: at }), { now: at });
  assert.deepEqual(roundTrip(), data);
  const [ours] = compare(`${name}: encode + decode (tessera, in process)`, [
    { name: "tessera createFlaskCodec encode+decode", fn: roundTrip },
    { name: "tessera encode only", fn: () => codec.encode(data, { timestamp: at }) },
    { name: "tessera decode only", fn: () => codec.decode(cookie, { now: at }) },
  ]);
  if (flasks.length === 0) continue;

  // The rounds. A tessera batch lasts about as long as a Flask one.
  const wall: number[] = [];
  const cpu: number[] = [];
  let calls = smoke ? 50 : 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const flask of flasks) {
      const batch = (await flask.worker.call({ number: NUMBER })) as {
        us_per_op: number;
        cpu_us_per_op: number;
      };
      flask.wall.push(batch.us_per_op);
      flask.cpu.push(batch.cpu_us_per_op);
    }
    calls ||= Math.max(100, Math.round((NUMBER * flasks[0]!.wall[0]!) / (ours!.nsPerOp / 1000)));
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) roundTrip();
    const elapsed = Number(process.hrtime.bigint() - start) / 1000;
    const used = process.cpuUsage(startCpu);
    wall.push(elapsed / calls);
    cpu.push((used.user + used.system) / calls);
  }
  const wallUs = median(wall);
  const cpuUs = median(cpu);
  console.log(
    `\n${ROUNDS} rounds, each ${NUMBER} Flask calls per Flask found, then ${calls} tessera calls (medians):`,
  );
  for (const flask of flasks) {
    flask.worker.close();
    const flaskWall = median(flask.wall);
    const flaskCpu = median(flask.cpu);
    const line = `${name} vs Flask ${flask.flask}: Flask ${flaskWall.toFixed(1)} µs/op wall, ${flaskCpu.toFixed(1)} µs/op CPU; tessera ${wallUs.toFixed(1)} µs/op wall, ${cpuUs.toFixed(1)} µs/op CPU → ${(flaskWall / wallUs).toFixed(1)}× (wall), ${(flaskCpu / cpuUs).toFixed(1)}× (CPU) faster`;
    console.log(line);
    summary.push(line);
  }
}

if (summary.length > 0) {
  console.log(
    `\nsummary (medians of ${ROUNDS} interleaved rounds, ${NUMBER} Flask calls a batch; target ≥ 4×)${smoke ? " [smoke run: correctness only, not a measurement]" : ""}:`,
  );
  for (const line of summary) console.log(`  ${line}`);
  console.log(`  (${load()} at the end)`);
}

// Encode + decode of a Flask session cookie, side by side with Flask itself:
// tessera's createFlaskCodec in this process, and Flask's own serializer
// timed by Python's timeit (bench/flask_bench.py) on the same data, for each
// Flask found (Debian's python3-flask and a pip-installed one may differ).
// Two payloads: a Flask-Login session (small, not compressed) and a larger
// one with a flashed message (zlib-compressed). Both sides must write the
// same cookie for the same timestamp before anything is timed.
//
// Our side is timed with compare() (wall clock, interleaved rounds), and
// also by process CPU time, as Python is: on a loaded machine the CPU-time
// ratio is the steadier one. Target: tessera ≥ 4× faster than Flask.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
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
const NUMBER = smoke ? 50 : 2000;
const REPEAT = smoke ? 1 : 7;

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

const secret = randomBytes(32).toString("base64url");
const codec = createFlaskCodec({ secretKey: secret });
const timestamp = Math.floor(Date.now() / 1000);
const at = timestamp * 1000;

// Median µs per call by process CPU time, over rounds of n calls.
function cpuMicros(fn: () => unknown, n: number, rounds: number): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const summary: string[] = [];
for (const [name, data] of payloads) {
  const json = dumpFlaskJson(data);
  const cookie = codec.encode(data, { timestamp: at });
  console.log(
    `\n## ${name}: ${json.length} bytes of tagged JSON, cookie ${cookie.length} bytes${cookie.startsWith(".") ? " (compressed)" : " (not compressed)"}`,
  );

  const flasks = pythons.map((python) => {
    const run = spawnSync(python, [new URL("./flask_bench.py", import.meta.url).pathname], {
      input: JSON.stringify({ secret, data: json, timestamp, number: NUMBER, repeat: REPEAT }),
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`bench/flask_bench.py failed: ${run.stderr}`);
    const result = JSON.parse(run.stdout) as {
      us_per_op: number;
      cpu_us_per_op: number;
      cookie: string;
      flask: string;
      python: string;
    };
    // Same bytes first, then speed.
    assert.equal(
      cookie,
      result.cookie,
      `tessera and Flask ${result.flask} write different cookies`,
    );
    console.log(`Flask ${result.flask} (Python ${result.python}) writes the same cookie: yes`);
    return result;
  });

  const roundTrip = () => codec.decode(codec.encode(data, { timestamp: at }), { now: at });
  assert.deepEqual(roundTrip(), data);
  const [ours] = compare(`${name}: encode + decode (tessera, in process)`, [
    { name: "tessera createFlaskCodec encode+decode", fn: roundTrip },
    { name: "tessera encode only", fn: () => codec.encode(data, { timestamp: at }) },
    { name: "tessera decode only", fn: () => codec.decode(cookie, { now: at }) },
  ]);
  const wallUs = ours!.nsPerOp / 1000;
  const cpuUs = cpuMicros(roundTrip, smoke ? 50 : 5000, smoke ? 1 : 7);

  for (const flask of flasks) {
    const line = `${name} vs Flask ${flask.flask}: Flask ${flask.us_per_op.toFixed(1)} µs/op wall, ${flask.cpu_us_per_op.toFixed(1)} µs/op CPU; tessera ${wallUs.toFixed(1)} µs/op wall, ${cpuUs.toFixed(1)} µs/op CPU → ${(flask.us_per_op / wallUs).toFixed(1)}× (wall), ${(flask.cpu_us_per_op / cpuUs).toFixed(1)}× (CPU) faster`;
    console.log(`\n${line}`);
    summary.push(line);
  }
}

if (summary.length > 0) {
  console.log(
    `\nsummary (Python timeit median of ${REPEAT}×${NUMBER}; target ≥ 4×)${smoke ? " [smoke run: correctness only, not a measurement]" : ""}:`,
  );
  for (const line of summary) console.log(`  ${line}`);
  console.log(`  (${load()} at the end)`);
}

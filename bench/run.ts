// Runs every bench/*.bench.ts in its own process, one after another.
// BENCH_SMOKE=1 runs each for a moment only: CI uses it to check that the
// benchmarks still work (and that every case still agrees with its peer),
// never to judge speed.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const env = { ...process.env };
if (process.env.BENCH_SMOKE === "1") Object.assign(env, { BENCH_ROUNDS: "1", BENCH_BATCH_MS: "2" });
let failed = 0;
for (const file of files) {
  console.log(`\n### ${file}`);
  const result = spawnSync(process.execPath, [`${here}${file}`], { stdio: "inherit", env });
  if (result.status !== 0) failed++;
}
console.log(`\nbenchmarks: ${files.length - failed} ran, ${failed} broke`);
process.exit(failed === 0 ? 0 : 1);

// A small side-by-side harness: every case runs in the same process, interleaved
// (A B C … A B C …) over several rounds, and the median ns/op of each is reported
// with its ratio to the first case. No dependencies, so the numbers are ours to explain.

export interface BenchCase {
  name: string;
  fn: () => unknown;
}

export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
}

let sink: unknown;

function timeBatch(fn: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs the cases interleaved and prints a table with ratios against `cases[0]`
 * (the baseline, usually the peer). `ratio > 1` means faster than the baseline.
 */
export function compare(
  title: string,
  cases: BenchCase[],
  options: { rounds?: number; batchMs?: number } = {},
): BenchResult[] {
  const rounds = Number(process.env.BENCH_ROUNDS ?? options.rounds ?? 7);
  const batchMs = Number(process.env.BENCH_BATCH_MS ?? options.batchMs ?? 200);
  // Warm up and size each batch to about batchMs.
  const iterations = cases.map((c) => {
    let n = 100;
    for (;;) {
      const ns = timeBatch(c.fn, n) * n;
      if (ns > 20e6 || n >= 1 << 24) return Math.max(1, Math.round((n * batchMs * 1e6) / ns));
      n *= 4;
    }
  });
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      samples[i]!.push(timeBatch(cases[i]!.fn, iterations[i]!));
    }
  }
  return report(title, rounds, cases, samples);
}

function report(
  title: string,
  rounds: number,
  cases: BenchCase[],
  samples: number[][],
): BenchResult[] {
  const results = cases.map((c, i) => {
    const ns = median(samples[i]!);
    return { name: c.name, nsPerOp: ns, opsPerSec: 1e9 / ns };
  });
  const base = results[0]!.nsPerOp;
  console.log(`\n${title}  (median of ${rounds} interleaved rounds)`);
  console.log(
    `${"case".padEnd(44)}${"ns/op".padStart(12)}${"ops/s".padStart(14)}${"vs first".padStart(11)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(44)}${r.nsPerOp.toFixed(0).padStart(12)}${Math.round(r.opsPerSec).toLocaleString("en-US").padStart(14)}${`${(base / r.nsPerOp).toFixed(2)}x`.padStart(11)}`,
    );
  }
  if (sink === Symbol.for("never")) console.log(sink);
  return results;
}

async function timeBatchAsync(fn: () => unknown, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = await fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

/**
 * {@link compare} for cases that return promises: each call is awaited, so
 * async peers (WebCrypto-based ones, for example) pay their real cost.
 */
export async function compareAsync(
  title: string,
  cases: BenchCase[],
  options: { rounds?: number; batchMs?: number } = {},
): Promise<BenchResult[]> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? options.rounds ?? 7);
  const batchMs = Number(process.env.BENCH_BATCH_MS ?? options.batchMs ?? 200);
  const iterations: number[] = [];
  for (const c of cases) {
    let n = 50;
    for (;;) {
      const ns = (await timeBatchAsync(c.fn, n)) * n;
      if (ns > 20e6 || n >= 1 << 22) {
        iterations.push(Math.max(1, Math.round((n * batchMs * 1e6) / ns)));
        break;
      }
      n *= 4;
    }
  }
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      samples[i]!.push(await timeBatchAsync(cases[i]!.fn, iterations[i]!));
    }
  }
  return report(title, rounds, cases, samples);
}

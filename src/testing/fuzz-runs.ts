/**
 * How many generated inputs each property-based test runs: 100 000 in the
 * normal suite; set FUZZ_RUNS for a longer run (FUZZ_RUNS=2000000 npm test).
 *
 * @example
 * fc.assert(property, { numRuns: fuzzRuns() });
 */
export function fuzzRuns(normal = 100_000): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(runs) && runs > 0 ? runs : normal;
}

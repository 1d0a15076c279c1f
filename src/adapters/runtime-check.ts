// Runs the adapter scenarios (./scenarios.ts) in-process against the BUILT
// package, on whatever runtime runs this file: a plain fetch handler on the
// core, and the Hono middleware through `app.fetch`. No server, no test
// framework, no dependency but Hono. Build first (`npm run build`), then:
//   node src/adapters/runtime-check.ts
//   bun src/adapters/runtime-check.ts
//   deno run --allow-read --allow-env src/adapters/runtime-check.ts
// It prints one line per case and `N passed, N failed`; it exits 1 on a failure.

import { cases, fetchHandler, handlerClient, honoApp, type Kit, type Target } from "./scenarios.ts";

// Through the package's self-reference ("tessera" → dist/), as an app would.
// Computed specifiers keep the compiler from resolving dist/ while building it.
const pkg = "tessera";
const core: typeof import("../index.ts") = await import(pkg);
const memory: typeof import("../stores/memory.ts") = await import(`${pkg}/stores/memory`);
const testing: typeof import("../testing/faulty.ts") = await import(`${pkg}/testing`);
const hono: typeof import("./hono.ts") = await import(`${pkg}/hono`);
const { Hono }: typeof import("hono") = await import("hono");

const runtime =
  "Bun" in globalThis
    ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
    : "Deno" in globalThis
      ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
      : `Node ${process.version}`;

const kit: Kit = {
  createSessions: (options) => core.createSessions(options),
  memoryStore: () => memory.memoryStore(),
  faultyStore: testing.faultyStore,
  parseSetCookie: core.parseSetCookie,
};

// A store outage, for a plain fetch handler: the error's stable code.
function unavailable(error: unknown): Response | undefined {
  if (!(error instanceof core.TesseraError) || error.code !== "ERR_STORE_UNAVAILABLE") return;
  const retryAfter = String((error as { retryAfter?: number }).retryAfter ?? 5);
  return new Response("Service Unavailable\n", {
    status: 503,
    headers: { "retry-after": retryAfter, "cache-control": "no-store" },
  });
}

const targets: Target[] = [
  { name: "fetch handler", start: (s) => handlerClient(fetchHandler(s, unavailable)) },
  {
    name: "Hono app.fetch",
    start: (s) => handlerClient(honoApp(Hono, hono.sessionMiddleware, s).fetch),
  },
];

let passed = 0;
let failed = 0;
for (const target of targets) {
  for (const scenario of cases(kit)) {
    try {
      await scenario.run(target);
      passed++;
      console.log(`ok   ${target.name}: ${scenario.name}`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${target.name}: ${scenario.name}\n     ${String(error)}`);
    }
  }
}
console.log(`${runtime}: ${passed} passed, ${failed} failed`);
if (failed > 0) process.exitCode = 1;

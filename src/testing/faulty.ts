import type { SessionStore } from "../session/store.ts";

/** The switches of a {@link faultyStore}. */
export interface Faults {
  /** Every call throws (like a store that is down). */
  down: boolean;
  /** Every call waits this long first (like a slow or hung store). */
  delayMs: number;
  /** Calls made so far, by method name. */
  calls: Record<string, number>;
}

const METHODS = ["get", "set", "patch", "touch", "destroy", "listByUser", "destroyByUser"] as const;

/**
 * Wraps a store so a test can make it fail or stall on demand, to check the
 * outage policy and the recovery after it.
 *
 * @example
 * const { store, faults } = faultyStore(memoryStore());
 * const sessions = createSessions({ secrets, store });
 * faults.down = true;   // every store call now throws
 * faults.down = false;  // and recovers
 */
export function faultyStore(inner: SessionStore): { store: SessionStore; faults: Faults } {
  const faults: Faults = { down: false, delayMs: 0, calls: {} };
  const store: Record<string, unknown> = { kind: inner.kind };
  if (inner.setup) store.setup = inner.setup.bind(inner);
  for (const method of METHODS) {
    const original = inner[method] as ((...args: unknown[]) => unknown) | undefined;
    if (original === undefined) continue;
    store[method] = async (...args: unknown[]) => {
      faults.calls[method] = (faults.calls[method] ?? 0) + 1;
      if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
      if (faults.down) throw new Error(`injected fault in ${method}`);
      return original.apply(inner, args);
    };
  }
  return { store: store as unknown as SessionStore, faults };
}

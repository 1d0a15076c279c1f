import type { Expiry } from "../session/expiry.ts";
import { newRecord, type SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";
import { guard } from "./guard.ts";
import { storeKey } from "./key.ts";

/**
 * Revocation of sealed-cookie sessions, which otherwise stay valid until
 * they expire however the user logs out. One small record per user, in any
 * server store: `nb` ("not before": cookies written earlier are refused) and
 * `s:<id>` for single sessions ended before their time (kept until they would
 * have expired anyway). A logged-in cookie session then costs one store read
 * per request.
 */
export interface Revocation {
  /** Whether a loaded cookie session was revoked. */
  revoked(record: SessionRecord, context: StoreContext): Promise<boolean>;
  /** Refuses this one session (by its id) from now on. */
  revokeSession(userId: string, id: string, context: StoreContext): Promise<void>;
  /** Refuses every session of the user written before now. */
  revokeUser(userId: string, context: StoreContext): Promise<void>;
}

/**
 * Builds the revocation checks on a server store.
 *
 * @example
 * const revocation = createRevocation(memoryStore(), expiry, 2000, 5);
 */
export function createRevocation(
  store: SessionStore,
  expiry: Expiry,
  timeoutMs: number,
  retryAfter: number,
): Revocation {
  // Past this, every session the record could refuse has expired anyway.
  const keep = Math.max(expiry.absolute, expiry.remember, expiry.idle) + 60_000;
  const keyOf = (userId: string) => storeKey(`tessera/revocation/${userId}`);
  const call = <T>(operation: string, fn: () => T | Promise<T>) =>
    guard(`revocation ${operation}`, timeoutMs, retryAfter, fn);

  async function record(
    userId: string,
    set: Record<string, unknown>,
    context: StoreContext,
  ): Promise<void> {
    const key = keyOf(userId);
    const now = context.now;
    const write: StoreContext = { ...context, expiresAt: now + keep };
    const existing = await call("get", () => store.get(key, context));
    if (existing !== null && store.patch !== undefined) {
      // Drop session entries whose sessions have expired since.
      const drop = Object.keys(existing.data).filter(
        (name) => name.startsWith("s:") && (existing.data[name] as number) <= now,
      );
      await call("patch", () => store.patch!(key, { set, delete: drop, lastActiveAt: now }, write));
      return;
    }
    const data = { ...(existing?.data ?? {}), ...set };
    await call("set", () => store.set(key, newRecord(now, key, data), write));
  }

  return {
    async revoked(session, context) {
      if (session.userId === undefined) return false;
      const found = await call("get", () => store.get(keyOf(session.userId!), context));
      if (found === null) return false;
      const notBefore = found.data.nb;
      if (typeof notBefore === "number" && session.lastActiveAt < notBefore) return true;
      return session.id !== "" && typeof found.data[`s:${session.id}`] === "number";
    },
    revokeSession(userId, id, context) {
      return record(userId, { [`s:${id}`]: context.now + keep }, context);
    },
    revokeUser(userId, context) {
      return record(userId, { nb: context.now }, context);
    },
  };
}

import { ConfigError } from "../errors.ts";
import { type Duration, toMillis } from "./duration.ts";

/**
 * When sessions end. Every limit is enforced from data inside the sealed
 * payload or the store record, never from the cookie's Max-Age alone.
 *
 * - `idle`: a browser-session (not permanent) session ends after this much
 *   inactivity. Default `"30m"`.
 * - `absolute`: a browser-session session ends this long after it was created,
 *   however active. Default `"12h"`.
 * - `remember`: a permanent ("remember me") session lives this long since its
 *   last activity, and never longer than this since it was created (or
 *   `absolute`, if that is longer). The cookie's Max-Age follows it.
 *   Default `"30d"`.
 * - `refresh`: an unmodified session is written again (to slide its idle
 *   window) only once this fraction of the window has passed since its last
 *   write. Default `0.25`: a 30-minute idle window is refreshed at most every
 *   7.5 minutes, so an active user's effective idle limit is between 22.5 and
 *   30 minutes.
 *
 * @example
 * createSessions({ secrets, expiry: { idle: "30m", absolute: "12h", remember: "7d" } });
 */
export interface ExpiryOptions {
  idle?: Duration;
  absolute?: Duration;
  remember?: Duration;
  refresh?: number;
}

/** {@link ExpiryOptions} in milliseconds. */
export interface Expiry {
  idle: number;
  absolute: number;
  remember: number;
  refresh: number;
}

/**
 * Resolves and checks expiry options.
 *
 * @example
 * resolveExpiry({ idle: "10m" }).idle; // 600000
 */
export function resolveExpiry(options: ExpiryOptions = {}): Expiry {
  const refresh = options.refresh ?? 0.25;
  if (!(refresh >= 0 && refresh < 1)) {
    throw new ConfigError(`expiry.refresh must be a fraction from 0 to below 1, got ${refresh}`);
  }
  return {
    idle: toMillis(options.idle ?? "30m", "expiry.idle"),
    absolute: toMillis(options.absolute ?? "12h", "expiry.absolute"),
    remember: toMillis(options.remember ?? "30d", "expiry.remember"),
    refresh,
  };
}

/** The timing fields of a record that expiry needs. */
export interface Lifetime {
  createdAt: number;
  lastActiveAt: number;
  permanent: boolean;
}

/**
 * The instant (ms since the epoch) at which a session ends.
 *
 * @example
 * expiresAt(expiry, { createdAt: 0, lastActiveAt: 0, permanent: false }); // expiry.idle
 */
export function expiresAt(expiry: Expiry, life: Lifetime): number {
  if (life.permanent) {
    return Math.min(
      life.lastActiveAt + expiry.remember,
      life.createdAt + Math.max(expiry.remember, expiry.absolute),
    );
  }
  return Math.min(life.lastActiveAt + expiry.idle, life.createdAt + expiry.absolute);
}

/**
 * Whether an unmodified session should be written again at `now` to slide its
 * window: enough of the window has passed and the write would move the end.
 *
 * @example
 * refreshDue(expiry, record, Date.now());
 */
export function refreshDue(expiry: Expiry, life: Lifetime, now: number): boolean {
  const window = life.permanent ? expiry.remember : expiry.idle;
  if (now - life.lastActiveAt < window * expiry.refresh) return false;
  const moved = expiresAt(expiry, { ...life, lastActiveAt: now });
  return moved > expiresAt(expiry, life);
}

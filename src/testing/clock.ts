/** A clock a test moves by hand. Pass `clock.now` as `createSessions({ now })`. */
export interface FakeClock {
  now(): number;
  advance(ms: number): void;
  set(ms: number): void;
}

/**
 * A fake clock, in ms since the epoch.
 *
 * @example
 * const clock = fakeClock();
 * const sessions = createSessions({ secrets, now: clock.now });
 * clock.advance(31 * 60_000); // past a 30-minute idle timeout
 */
export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}

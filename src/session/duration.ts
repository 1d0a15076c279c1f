import { ConfigError } from "../errors.ts";

/** A length of time: seconds as a number, or text such as `"250ms"`, `"90s"`, `"30m"`, `"12h"`, `"7d"`, `"2w"`. */
export type Duration = number | `${number}${"ms" | "s" | "m" | "h" | "d" | "w"}`;

const UNIT: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/**
 * Converts a {@link Duration} to milliseconds, or throws {@link ConfigError}
 * naming the option.
 *
 * @example
 * toMillis("30m", "expiry.idle"); // 1800000
 * toMillis(90, "expiry.idle");    // 90000
 * toMillis("250ms", "storeTimeout"); // 250
 */
export function toMillis(value: Duration, option: string): number {
  let ms = Number.NaN;
  if (typeof value === "number") ms = value * 1e3;
  else if (typeof value === "string" && value.length > 1) {
    const millis = value.endsWith("ms");
    const unit = millis ? 1 : UNIT[value[value.length - 1]!];
    const amount = Number(value.slice(0, millis ? -2 : -1));
    if (unit !== undefined && value.trim() === value) ms = amount * unit;
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ConfigError(
      `${option} must be a positive duration such as "30m" or 1800 (seconds), got ${JSON.stringify(value)}`,
    );
  }
  return Math.round(ms);
}

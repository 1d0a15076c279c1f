import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../errors.ts";
import { toMillis } from "./duration.ts";

test("durations in every unit, and seconds as numbers", () => {
  assert.equal(toMillis("250ms", "x"), 250);
  assert.equal(toMillis("90s", "x"), 90_000);
  assert.equal(toMillis("30m", "x"), 1_800_000);
  assert.equal(toMillis("12h", "x"), 43_200_000);
  assert.equal(toMillis("7d", "x"), 604_800_000);
  assert.equal(toMillis("2w", "x"), 1_209_600_000);
  assert.equal(toMillis("1.5h", "x"), 5_400_000);
  assert.equal(toMillis(1800, "x"), 1_800_000);
});

test("bad durations name the option", () => {
  for (const bad of [
    "",
    "m",
    "10",
    "10x",
    " 10m",
    "-1m",
    "0s",
    "NaNs",
    0,
    -5,
    Number.NaN,
    Infinity,
    null,
  ]) {
    assert.throws(
      () => toMillis(bad as never, "expiry.idle"),
      (e: unknown) => e instanceof ConfigError && /expiry\.idle/.test(e.message),
      String(bad),
    );
  }
});

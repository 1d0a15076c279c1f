import { CodecError } from "../errors.ts";

// Keys that reach an object's prototype when code later merges or assigns
// the data (`Object.assign(target, data)`, `lodash.merge`, …).
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

// JSON.parse itself defines "__proto__" as an own property, so parsing is
// safe; the danger is what the application does with the result later. Refuse
// such payloads outright. The walk only runs when the text could spell one of
// the keys: literally, or through a \u escape.
function mayHoldForbiddenKey(text: string): boolean {
  // "proto" covers both "__proto__" and "prototype": three scans, not four.
  return text.includes("proto") || text.includes("constructor") || text.includes("\\u");
}

function check(value: unknown, depth: number): void {
  if (depth > 64) throw new CodecError("session data is nested deeper than 64 levels");
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) check(item, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN.has(key))
      throw new CodecError(`session data may not hold the key ${JSON.stringify(key)}`);
    check((value as Record<string, unknown>)[key], depth + 1);
  }
}

/**
 * Parses session JSON. Throws {@link CodecError} for invalid JSON and for any
 * `__proto__`, `constructor` or `prototype` key at any depth.
 *
 * @example
 * decodeJson('{"visits":3}'); // { visits: 3 }
 * decodeJson('{"a":{"__proto__":{"x":1}}}'); // throws CodecError
 */
export function decodeJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CodecError("session data is not valid JSON", { cause: error });
  }
  if (mayHoldForbiddenKey(text)) check(value, 0);
  return value;
}

/**
 * Serialises session data as JSON. Dates become ISO strings (JSON has no date
 * type; store `Date.now()` when you need arithmetic). Throws
 * {@link CodecError} for values JSON cannot carry (BigInt, cycles) and for the
 * forbidden keys, so bad data fails at write time, not on the next read.
 *
 * @example
 * encodeJson({ visits: 3 }); // '{"visits":3}'
 */
export function encodeJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new CodecError(`session data cannot be serialised: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (mayHoldForbiddenKey(text)) check(value, 0);
  return text;
}

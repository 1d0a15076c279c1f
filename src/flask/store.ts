import type { FlashEntry, SessionRecord } from "../session/record.ts";
import type { SessionStore } from "../session/store.ts";
import { createFlaskCodec, type FlaskCodecOptions, type FlaskOpened } from "./codec.ts";
import { FlaskCookieError } from "./errors.ts";
import { FlaskTuple } from "./values.ts";

// Flask's own keys in the session dict:
//   _flashes:   [(category, message), …]  (flask.flash / get_flashed_messages)
//   _permanent: True                       (session.permanent)
// Everything else is application data.
const FLASHES = "_flashes";
const PERMANENT = "_permanent";

function isFlashList(value: unknown): value is unknown[][] {
  if (!Array.isArray(value)) return false;
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") return false;
  }
  return true;
}

function toRecord({ data, signedAt, stale }: FlaskOpened): SessionRecord {
  const { [FLASHES]: flashes, [PERMANENT]: permanent, ...rest } = data;
  const record: SessionRecord = {
    id: "",
    data: rest,
    flash: [],
    // Flask keeps no creation time: both come from the last write.
    createdAt: signedAt,
    lastActiveAt: signedAt,
    permanent: permanent === true,
  };
  if (isFlashList(flashes)) {
    record.flash = flashes.map((entry): FlashEntry => [entry[0] as string, entry[1]]);
  } else if (flashes !== undefined) {
    rest[FLASHES] = flashes; // not Flask's shape: keep it as it came
  }
  if (stale) record.resave = true;
  return record;
}

function fromRecord(record: SessionRecord): Record<string, unknown> {
  const data: Record<string, unknown> = { ...record.data };
  if (record.flash.length > 0) {
    data[FLASHES] = record.flash.map(([category, message]) => new FlaskTuple(category, message));
  }
  if (record.permanent) data[PERMANENT] = true;
  else delete data[PERMANENT];
  return data;
}

/**
 * A cookie store that reads and writes Flask's own session cookie, so a
 * tessera app and a Flask app that share the cookie (same name, same domain)
 * share their sessions: logins, `flash()` messages (`_flashes` ↔
 * `session.flash`/`flashes`) and `session.permanent` (`_permanent`).
 *
 * - Use the Flask app's `SECRET_KEY` (and `SECRET_KEY_FALLBACKS` as
 *   `fallbackKeys`; a cookie verified with one is written again with
 *   `secretKey`). Name the cookie `"session"`, Flask's default.
 * - `maxAge` is Flask's `PERMANENT_SESSION_LIFETIME` (default 31 days).
 *   tessera's own `expiry` limits apply on top: Flask keeps no creation
 *   time, so `createdAt` and `lastActiveAt` are the cookie's timestamp, and
 *   the absolute limit counts from the last write. To keep Flask's rules,
 *   set `expiry.idle`, `absolute` and `remember` to the same lifetime.
 * - The cookie is signed, not encrypted: the user can read it, as in Flask.
 * - The manager's `secrets` still sign nothing here, but are required.
 *
 * @example
 * import { createSessions } from "tessera";
 * import { flaskCookieStore } from "tessera/flask";
 *
 * const sessions = createSessions({
 *   secrets: [process.env.TESSERA_SECRET!],
 *   store: flaskCookieStore({ secretKey: process.env.FLASK_SECRET_KEY! }),
 *   cookie: { name: "session" },
 *   expiry: { idle: "31d", absolute: "31d", remember: "31d" },
 * });
 */
export function flaskCookieStore(options: FlaskCodecOptions): SessionStore {
  const codec = createFlaskCodec(options);
  return {
    kind: "cookie",
    get(value, { now }) {
      try {
        return toRecord(codec.open(value, { now }));
      } catch (error) {
        // A bad, foreign, expired or unreadable cookie starts a fresh session,
        // as in Flask.
        if (error instanceof FlaskCookieError) return null;
        throw error;
      }
    },
    set(_key, record, { now }) {
      return codec.encode(fromRecord(record), { timestamp: now });
    },
    destroy() {
      // The cookie is the record: the manager's deleting Set-Cookie ends it.
    },
  };
}

// What the SQL stores (sqlite, postgres) share: the table's shape, the
// mapping between a row and a SessionRecord, their errors and the sweep
// schedule. Each store keeps only its own SQL dialect.
import { setImmediate as nextTurn } from "node:timers/promises";
import { decodeJson, encodeJson } from "../codec/json.ts";
import { ConfigError, TesseraError } from "../errors.ts";
import { type Duration, toMillis } from "../session/duration.ts";
import { isFlash, type RecordPatch, type SessionRecord } from "../session/record.ts";
import type { StoreContext } from "../session/store.ts";

/** Rows deleted per sweep statement, so a sweep never holds a long lock. */
export const SWEEP_BATCH = 1000;

/** The end of a record written without `context.expiresAt` (the memory store keeps it forever too). */
const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * When a record written under this context ends, in ms on the manager's clock.
 *
 * @example
 * endOf({ cookieName: "s", now: 0, expiresAt: 1800000 }); // 1800000
 */
export const endOf = (context: StoreContext): number => context.expiresAt ?? NEVER;

// An unquoted identifier in both dialects: a letter or "_", then letters,
// digits and "_". At most 48 characters, so "<table>_expires_at" still fits
// PostgreSQL's 63-byte limit on names. We quote it anyway, so case is kept.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/**
 * Checks the `table` option; throws {@link ConfigError} naming the store.
 *
 * @example
 * tableName("sqlite", undefined); // "tessera_sessions"
 * tableName("postgres", "x; DROP TABLE y"); // throws ConfigError
 */
export function tableName(origin: string, table: unknown = "tessera_sessions"): string {
  if (typeof table !== "string" || !IDENTIFIER.test(table)) {
    throw new ConfigError(
      `[${origin}] table must be an SQL identifier (a letter or "_", then letters, digits or "_", at most 48), got ${JSON.stringify(table)}`,
    );
  }
  return table;
}

/** The columns a store writes, in the order of {@link recordValues}. */
export const COLUMNS = [
  "key",
  "data",
  "flash",
  "created_at",
  "last_active_at",
  "permanent",
  "user_id",
  "user_agent",
  "expires_at",
] as const;

/**
 * The table and its indexes, for a dialect's type names. Expiry is a number
 * of ms on the manager's clock (not the database's), indexed for the sweep;
 * the per-user index is partial, since most sessions have no user.
 *
 * @example
 * for (const sql of schema("sessions", { json: "jsonb", integer: "bigint", boolean: "boolean" })) await pool.query(sql);
 */
export function schema(
  table: string,
  types: { json: string; integer: string; boolean: string },
): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS "${table}" (
      key text PRIMARY KEY NOT NULL,
      data ${types.json} NOT NULL,
      flash ${types.json} NOT NULL,
      created_at ${types.integer} NOT NULL,
      last_active_at ${types.integer} NOT NULL,
      permanent ${types.boolean} NOT NULL,
      user_id text,
      user_agent text,
      expires_at ${types.integer} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON "${table}" (expires_at)`,
    `CREATE INDEX IF NOT EXISTS "${table}_user_id" ON "${table}" (user_id) WHERE user_id IS NOT NULL`,
  ];
}

/** A row as a driver returns it (PostgreSQL gives bigint as a string). */
export interface SessionRow {
  key: unknown;
  data: unknown;
  flash: unknown;
  created_at: unknown;
  last_active_at: unknown;
  permanent: unknown;
  user_id: unknown;
  user_agent: unknown;
}

function time(value: unknown): number | null {
  const ms = typeof value === "string" || typeof value === "bigint" ? Number(value) : value;
  return Number.isSafeInteger(ms) ? (ms as number) : null;
}

// Stored JSON through decodeJson (no prototype keys); undefined when it does not decode.
function decoded(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return decodeJson(text);
  } catch {
    return undefined;
  }
}

/**
 * A stored `data` column as an object; null when it does not decode to one.
 *
 * @example
 * dataFromColumn('{"visits":3}'); // { visits: 3 }
 * dataFromColumn("[1]"); // null
 */
export function dataFromColumn(text: unknown): Record<string, unknown> | null {
  const data = decoded(text);
  if (data === null || typeof data !== "object" || Array.isArray(data)) return null;
  return data as Record<string, unknown>;
}

/**
 * The record a row holds, with the row's key as its id; null for a row that
 * does not decode (bad JSON, a forbidden key, a wrong shape), never a throw.
 *
 * @example
 * const record = recordFromRow(statement.get(key, context.now));
 */
export function recordFromRow(row: SessionRow): SessionRecord | null {
  const data = dataFromColumn(row.data);
  const flash = decoded(row.flash);
  const createdAt = time(row.created_at);
  const lastActiveAt = time(row.last_active_at);
  if (typeof row.key !== "string" || data === null || !isFlash(flash)) return null;
  if (createdAt === null || lastActiveAt === null) return null;
  const record: SessionRecord = {
    id: row.key,
    data,
    flash,
    createdAt,
    lastActiveAt,
    // PostgreSQL answers a boolean, SQLite 0 or 1.
    permanent: row.permanent === true || row.permanent === 1,
  };
  if (typeof row.user_id === "string") record.userId = row.user_id;
  if (typeof row.user_agent === "string") record.userAgent = row.user_agent;
  return record;
}

/**
 * The `[key, record]` pairs of rows, for `listByUser`; rows that do not decode are left out.
 *
 * @example
 * return recordsFromRows((await pool.query(sql, [userId, context.now])).rows);
 */
export function recordsFromRows(rows: readonly unknown[]): Array<[string, SessionRecord]> {
  const out: Array<[string, SessionRecord]> = [];
  for (const row of rows) {
    const record = recordFromRow(row as SessionRow);
    if (record !== null) out.push([record.id, record]);
  }
  return out;
}

/**
 * A whole record as column values, in the order of {@link COLUMNS}. JSON goes
 * through `encodeJson`, so data that could not be read back fails here.
 *
 * @example
 * await pool.query(upsert, recordValues(key, record, context));
 */
export function recordValues(
  key: string,
  record: SessionRecord,
  context: StoreContext,
): [string, string, string, number, number, boolean, string | null, string | null, number] {
  return [
    key,
    encodeJson(record.data),
    encodeJson(record.flash),
    record.createdAt,
    record.lastActiveAt,
    record.permanent,
    record.userId ?? null,
    record.userAgent ?? null,
    endOf(context),
  ];
}

/** The columns a patch changes besides the data; null where a column stays. */
export interface PatchColumns {
  flash: string | null;
  permanent: boolean | null;
  userId: string | null;
  userAgent: string | null;
  lastActiveAt: number;
  expiresAt: number;
}

/**
 * The non-data part of a patch as column values (`coalesce(?, column)` keeps a null).
 *
 * @example
 * const { flash, permanent, expiresAt } = patchColumns(patch, context);
 */
export function patchColumns(patch: RecordPatch, context: StoreContext): PatchColumns {
  return {
    flash: patch.flash === undefined ? null : encodeJson(patch.flash),
    permanent: patch.permanent ?? null,
    userId: patch.userId ?? null,
    userAgent: patch.userAgent ?? null,
    lastActiveAt: patch.lastActiveAt,
    expiresAt: endOf(context),
  };
}

/**
 * A driver's error, prefixed with its origin and the operation; ours
 * (a CodecError for data JSON cannot carry, say) pass through.
 *
 * @example
 * storeError("postgres", "get", new Error("ECONNREFUSED")).message;
 * // "[tessera] [postgres] get failed: ECONNREFUSED"
 */
export function storeError(origin: string, operation: string, error: unknown): Error {
  if (error instanceof TesseraError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`[tessera] [${origin}] ${operation} failed: ${reason}`, { cause: error });
}

/** Options of the sweep, shared by the SQL stores. */
export interface SweepOptions {
  /**
   * How often writes start a sweep of expired rows in the background, on the
   * manager's clock. Default `"1m"`; `false` to only sweep when you call
   * `store.sweep()` (from a cron job, say).
   */
  sweepEvery?: Duration | false;
}

/**
 * Deletes expired rows in batches until a batch comes back short, letting
 * the event loop run between batches. `deleteBatch` deletes at most
 * {@link SWEEP_BATCH} rows ending at or before `now` and says how many.
 *
 * @example
 * const deleted = await sweepBatches((at) => statement.run(at).changes as number, Date.now());
 */
export async function sweepBatches(
  deleteBatch: (now: number) => number | Promise<number>,
  now: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(now);
    total += deleted;
    if (deleted < SWEEP_BATCH) return total;
    await nextTurn();
  }
}

/**
 * The opportunistic sweep: a write calls `due(now)`, which starts a sweep in
 * the background when none ran within `sweepEvery` (on the manager's clock)
 * and none is running. Writes, not a timer: nothing to unref or clear, no
 * work in an idle process, and the manager's clock decides what is expired.
 * A failed background sweep is dropped; the next one retries, and the
 * store's own calls report an outage.
 *
 * @example
 * const schedule = sweepSchedule("sqlite", { sweepEvery: "5m" }, sweep);
 * schedule.due(context.now); // in set, patch and touch
 */
export function sweepSchedule(
  origin: string,
  options: SweepOptions,
  sweep: (now: number) => Promise<number>,
): { due(now: number): void } {
  const every =
    options.sweepEvery === false
      ? Number.POSITIVE_INFINITY
      : toMillis(options.sweepEvery ?? "1m", `[${origin}] sweepEvery`);
  let last = Number.NEGATIVE_INFINITY;
  let running = false;
  return {
    due(now) {
      if (every === Number.POSITIVE_INFINITY || running) return;
      // A clock set back (a test's fake clock) restarts the schedule.
      if (now - last < every && now >= last) return;
      last = now;
      running = true;
      // After the write that started it has returned.
      nextTurn()
        .then(() => sweep(now))
        .catch(() => {})
        .finally(() => {
          running = false;
        });
    },
  };
}

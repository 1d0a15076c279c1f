import { createHash } from "node:crypto";
import { encodeJson } from "../codec/json.ts";
import { ConfigError } from "../errors.ts";
import type { RecordPatch, SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";
import {
  COLUMNS,
  endOf,
  patchColumns,
  recordFromRow,
  recordsFromRows,
  recordValues,
  type SessionRow,
  SWEEP_BATCH,
  type SweepOptions,
  schema,
  storeError,
  sweepBatches,
  sweepSchedule,
  tableName,
} from "./sql.ts";

/**
 * What the store needs of a PostgreSQL client: a `pg` Pool fits, as does
 * anything with the same `query`. A call without values must accept several
 * statements (the simple query protocol), as `pg` does.
 *
 * @example
 * import pg from "pg";
 * const pool: PgQueryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions extends SweepOptions {
  /** A `pg` Pool (or any {@link PgQueryable}). It stays yours: the store never ends it. */
  pool: PgQueryable;
  /** The table, created with its indexes on first use. Default `"tessera_sessions"`. */
  table?: string;
}

/** What {@link postgresStore} returns: a store with every capability, and its sweep. */
export interface PostgresStore extends SessionStore {
  get(key: string, context: StoreContext): Promise<SessionRecord | null>;
  set(key: string, record: SessionRecord, context: StoreContext): Promise<undefined>;
  patch(key: string, patch: RecordPatch, context: StoreContext): Promise<void>;
  touch(key: string, lastActiveAt: number, context: StoreContext): Promise<void>;
  destroy(key: string, context: StoreContext): Promise<void>;
  listByUser(
    userId: string,
    context: StoreContext,
  ): Promise<Array<[key: string, record: SessionRecord]>>;
  destroyByUser(userId: string, except: readonly string[], context: StoreContext): Promise<void>;
  /**
   * Deletes the rows that ended at or before `now` (default `Date.now()`; pass
   * the manager's clock if it has its own), 1000 per statement and skipping
   * rows another sweep holds. Resolves to how many went.
   */
  sweep(now?: number): Promise<number>;
}

// data and flash come back as text, so they go through decodeJson like every
// other store's: pg would JSON.parse jsonb itself, prototype keys and all.
const ROW =
  "key, data::text AS data, flash::text AS flash, created_at, last_active_at, permanent, user_id, user_agent";

/**
 * Sessions in PostgreSQL, through a `pg` Pool you pass. The table and its
 * indexes are created on first use, once: concurrent first calls share one
 * attempt, and an advisory lock serialises instances starting together (a
 * failed attempt is retried by the next call). `data` is `jsonb`, so a patch
 * is one statement, `data = (data || $set) - $delete`: concurrent patches of
 * different keys all survive, and a missing or expired row is never created.
 * Expiry is a `bigint` of ms on the manager's clock, checked by every read
 * and indexed for {@link PostgresStore.sweep}, which writes also start in
 * the background at most once per `sweepEvery`.
 *
 * jsonb cannot hold the character U+0000 or a lone surrogate: such data
 * fails at write time, as a store error.
 *
 * @example
 * import pg from "pg";
 * import { createSessions } from "tessera";
 * import { postgresStore } from "tessera/stores/postgres";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const sessions = createSessions({
 *   secrets: [process.env.TESSERA_SECRET!],
 *   store: postgresStore({ pool, table: "sessions" }),
 * });
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (options === null || typeof options !== "object") {
    throw new ConfigError("[postgres] postgresStore() needs { pool }");
  }
  const { pool } = options;
  if (pool === null || typeof pool !== "object" || typeof pool.query !== "function") {
    throw new ConfigError(
      "[postgres] pool must be a pg Pool, or anything with query(text, values) returning { rows, rowCount }",
    );
  }
  const table = tableName("postgres", options.table);
  const t = `"${table}"`;

  // One implicit transaction (several statements, no values): the advisory
  // lock is held until the indexes exist, so two processes starting at once
  // do not race CREATE TABLE IF NOT EXISTS into a duplicate-key error.
  const lock = createHash("sha256").update(`tessera:${table}`).digest().readBigInt64BE(0);
  const ddl = [
    `SELECT pg_advisory_xact_lock(${lock})`,
    ...schema(table, { json: "jsonb", integer: "bigint", boolean: "boolean" }),
  ].join(";\n");
  let ready: Promise<void> | undefined;
  const init = (): Promise<void> => {
    ready ??= pool.query(ddl).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };

  // Every call reports failures as "[tessera] [postgres] <operation> failed: …".
  async function query(operation: string, text: string, values: unknown[]) {
    try {
      await init();
      return await pool.query(text, values);
    } catch (error) {
      throw storeError("postgres", operation, error);
    }
  }

  const sql = {
    get: `SELECT ${ROW} FROM ${t} WHERE key = $1 AND expires_at > $2`,
    set: `INSERT INTO ${t} (${COLUMNS.join(", ")})
      VALUES ($1, $2::jsonb, $3::jsonb, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (key) DO UPDATE SET ${COLUMNS.slice(1)
        .map((c) => `${c} = EXCLUDED.${c}`)
        .join(", ")}`,
    // Per-key last writer wins, in one statement; a key both set and deleted
    // ends deleted, as in the memory store.
    patch: `UPDATE ${t} SET data = (data || $2::jsonb) - $3::text[],
      flash = coalesce($4::jsonb, flash), permanent = coalesce($5::boolean, permanent),
      user_id = coalesce($6::text, user_id), user_agent = coalesce($7::text, user_agent),
      last_active_at = $8, expires_at = $9
      WHERE key = $1 AND expires_at > $10`,
    touch: `UPDATE ${t} SET last_active_at = $2, expires_at = $3 WHERE key = $1 AND expires_at > $4`,
    destroy: `DELETE FROM ${t} WHERE key = $1`,
    listByUser: `SELECT ${ROW} FROM ${t} WHERE user_id = $1 AND expires_at > $2`,
    destroyByUser: `DELETE FROM ${t} WHERE user_id = $1 AND key <> ALL($2::text[])`,
    // SKIP LOCKED: sweeps of several instances take different rows, never wait.
    sweep: `DELETE FROM ${t} WHERE key IN
      (SELECT key FROM ${t} WHERE expires_at <= $1 LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)`,
  };

  function sweep(now = Date.now()): Promise<number> {
    return sweepBatches(async (at) => (await query("sweep", sql.sweep, [at])).rowCount ?? 0, now);
  }
  const schedule = sweepSchedule("postgres", options, sweep);

  return {
    kind: "server",
    async get(key, context) {
      const { rows } = await query("get", sql.get, [key, context.now]);
      return rows.length === 0 ? null : recordFromRow(rows[0] as SessionRow);
    },
    async set(key, record, context) {
      await query("set", sql.set, recordValues(key, record, context));
      schedule.due(context.now);
      return undefined;
    },
    async patch(key, changes, context) {
      const c = patchColumns(changes, context);
      await query("patch", sql.patch, [
        key,
        encodeJson(changes.set),
        changes.delete,
        c.flash,
        c.permanent,
        c.userId,
        c.userAgent,
        c.lastActiveAt,
        c.expiresAt,
        context.now,
      ]);
      schedule.due(context.now);
    },
    async touch(key, lastActiveAt, context) {
      await query("touch", sql.touch, [key, lastActiveAt, endOf(context), context.now]);
      schedule.due(context.now);
    },
    async destroy(key) {
      await query("destroy", sql.destroy, [key]);
    },
    async listByUser(userId, context) {
      return recordsFromRows(
        (await query("listByUser", sql.listByUser, [userId, context.now])).rows,
      );
    },
    async destroyByUser(userId, except) {
      await query("destroyByUser", sql.destroyByUser, [userId, [...except]]);
    },
    sweep,
  };
}

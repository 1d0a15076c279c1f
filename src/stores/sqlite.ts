import { DatabaseSync, type StatementSync } from "node:sqlite";
import { encodeJson } from "../codec/json.ts";
import { ConfigError } from "../errors.ts";
import { type Duration, toMillis } from "../session/duration.ts";
import type { RecordPatch, SessionRecord } from "../session/record.ts";
import type { SessionStore, StoreContext } from "../session/store.ts";
import {
  COLUMNS,
  dataFromColumn,
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

/** Options of {@link sqliteStore}: a file `path`, or a `database` you opened. */
export type SqliteStoreOptions = (
  | {
      /** The database file (`":memory:"` for one that lives in this process). Opened on first use, in WAL mode. */
      path: string;
      database?: undefined;
    }
  | {
      /** An open database: its settings (journal mode, busy timeout) are yours, and `close()` leaves it open. */
      database: DatabaseSync;
      path?: undefined;
    }
) &
  SweepOptions & {
    /** The table, created on first use. Default `"tessera_sessions"`. */
    table?: string;
    /**
     * How long a write waits for another process's write lock. node:sqlite
     * is synchronous, so this blocks the event loop: keep it short. Default
     * `"2s"`, the manager's default store timeout. Only for a `path`.
     */
    busyTimeout?: Duration;
  };

/**
 * What {@link sqliteStore} returns: a store whose methods answer directly
 * (node:sqlite is synchronous), its sweep, its database and its end.
 */
export interface SqliteStore extends SessionStore {
  get(key: string, context: StoreContext): SessionRecord | null;
  set(key: string, record: SessionRecord, context: StoreContext): undefined;
  patch(key: string, patch: RecordPatch, context: StoreContext): void;
  touch(key: string, lastActiveAt: number, context: StoreContext): void;
  destroy(key: string, context: StoreContext): void;
  listByUser(userId: string, context: StoreContext): Array<[key: string, record: SessionRecord]>;
  destroyByUser(userId: string, except: readonly string[], context: StoreContext): void;
  /**
   * Deletes the rows that ended at or before `now` (default `Date.now()`; pass
   * the manager's clock if it has its own), 1000 per statement, letting the
   * event loop run between statements. Resolves to how many went.
   */
  sweep(now?: number): Promise<number>;
  /** The database, opened (and the table created) if it was not yet: for backups or your own queries. */
  readonly database: DatabaseSync;
  /** Closes the database if the store opened it (a `path`); a database you passed stays open. */
  close(): void;
}

interface Statements {
  get: StatementSync;
  set: StatementSync;
  readData: StatementSync;
  patch: StatementSync;
  touch: StatementSync;
  destroy: StatementSync;
  listByUser: StatementSync;
  destroyByUser: StatementSync;
  sweep: StatementSync;
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
}

const ROW = "key, data, flash, created_at, last_active_at, permanent, user_id, user_agent";

/**
 * Sessions in SQLite through `node:sqlite`: the embedded default for one
 * machine. A `path` is opened on first use in WAL mode (readers never wait
 * for the writer) with `synchronous=NORMAL`; the table and its indexes are
 * created then, and every statement is prepared once. A patch reads and
 * rewrites the record's data inside `BEGIN IMMEDIATE … COMMIT`, so it is
 * atomic even across processes sharing the file and never creates a missing
 * row. Expired rows are invisible at once and deleted by {@link SqliteStore.sweep},
 * which writes also start in the background at most once per `sweepEvery`.
 *
 * node:sqlite is synchronous: each call finishes before it returns, and
 * this store's methods return values, not promises.
 *
 * @example
 * import { createSessions } from "tessera";
 * import { sqliteStore } from "tessera/stores/sqlite";
 * const store = sqliteStore({ path: "/var/lib/app/sessions.db" });
 * const sessions = createSessions({ secrets: [process.env.TESSERA_SECRET!], store });
 * process.on("SIGTERM", () => store.close());
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  if (options === null || typeof options !== "object") {
    throw new ConfigError("[sqlite] sqliteStore() needs { path } or { database }");
  }
  const { path, database } = options;
  if ((path === undefined) === (database === undefined)) {
    throw new ConfigError(
      '[sqlite] sqliteStore() needs exactly one of path (a file, or ":memory:") and database (an open DatabaseSync)',
    );
  }
  if (path !== undefined && (typeof path !== "string" || path === "")) {
    throw new ConfigError(`[sqlite] path must be a non-empty string, got ${JSON.stringify(path)}`);
  }
  if (database !== undefined && !(database instanceof DatabaseSync)) {
    throw new ConfigError("[sqlite] database must be a DatabaseSync from node:sqlite");
  }
  const table = tableName("sqlite", options.table);
  const busyTimeout = toMillis(options.busyTimeout ?? "2s", "[sqlite] busyTimeout");

  let db: DatabaseSync | undefined;
  let statements: Statements | undefined;
  let closed = false;

  function open(): Statements {
    if (statements !== undefined) return statements;
    if (closed) throw new Error("the store is closed");
    const handle = database ?? new DatabaseSync(path!);
    try {
      if (database === undefined) {
        // busy_timeout first: switching to WAL needs a lock another process may hold.
        handle.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
        handle.exec("PRAGMA journal_mode = WAL");
        // In WAL mode, NORMAL syncs at checkpoints only: a power cut may lose
        // the last writes, never corrupt the file. Right for sessions.
        handle.exec("PRAGMA synchronous = NORMAL");
      }
      for (const statement of schema(table, {
        json: "text",
        integer: "integer",
        boolean: "integer",
      }))
        handle.exec(statement);
      const t = `"${table}"`;
      const live = "key = ? AND expires_at > ?";
      statements = {
        get: handle.prepare(`SELECT ${ROW} FROM ${t} WHERE ${live}`),
        set: handle.prepare(
          `INSERT INTO ${t} (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})
           ON CONFLICT (key) DO UPDATE SET ${COLUMNS.slice(1)
             .map((c) => `${c} = excluded.${c}`)
             .join(", ")}`,
        ),
        readData: handle.prepare(`SELECT data FROM ${t} WHERE ${live}`),
        patch: handle.prepare(
          `UPDATE ${t} SET data = ?, flash = coalesce(?, flash), permanent = coalesce(?, permanent),
           user_id = coalesce(?, user_id), user_agent = coalesce(?, user_agent),
           last_active_at = ?, expires_at = ? WHERE key = ?`,
        ),
        touch: handle.prepare(`UPDATE ${t} SET last_active_at = ?, expires_at = ? WHERE ${live}`),
        destroy: handle.prepare(`DELETE FROM ${t} WHERE key = ?`),
        listByUser: handle.prepare(`SELECT ${ROW} FROM ${t} WHERE user_id = ? AND expires_at > ?`),
        // The kept keys arrive as one JSON array, so one prepared statement serves any count.
        destroyByUser: handle.prepare(
          `DELETE FROM ${t} WHERE user_id = ? AND key NOT IN (SELECT value FROM json_each(?))`,
        ),
        sweep: handle.prepare(
          `DELETE FROM ${t} WHERE rowid IN
           (SELECT rowid FROM ${t} WHERE expires_at <= ? LIMIT ${SWEEP_BATCH})`,
        ),
        begin: handle.prepare("BEGIN IMMEDIATE"),
        commit: handle.prepare("COMMIT"),
        rollback: handle.prepare("ROLLBACK"),
      };
    } catch (error) {
      if (database === undefined) handle.close();
      throw error;
    }
    db = handle;
    return statements;
  }

  // Every call reports failures as "[tessera] [sqlite] <operation> failed: …".
  function run<T>(operation: string, fn: (s: Statements) => T): T {
    try {
      return fn(open());
    } catch (error) {
      throw storeError("sqlite", operation, error);
    }
  }

  function sweep(now = Date.now()): Promise<number> {
    return sweepBatches(
      (at) => (closed ? 0 : run("sweep", (s) => Number(s.sweep.run(at).changes))),
      now,
    );
  }
  const schedule = sweepSchedule("sqlite", options, sweep);

  // Read, merge and write back under the write lock: atomic against other
  // processes on the same file. A missing, expired or unreadable row is left
  // alone, so a patch never creates one.
  function patch(s: Statements, key: string, changes: RecordPatch, context: StoreContext): void {
    const columns = patchColumns(changes, context);
    s.begin.run();
    try {
      const row = s.readData.get(key, context.now);
      const stored = row === undefined ? null : dataFromColumn(row.data);
      if (stored !== null) {
        // A prototype-less copy, so a "__proto__" key in the patch becomes an
        // own key, which encodeJson then refuses.
        const data: Record<string, unknown> = Object.assign(Object.create(null), stored);
        for (const name of Object.keys(changes.set)) data[name] = changes.set[name];
        for (const name of changes.delete) delete data[name];
        s.patch.run(
          encodeJson(data),
          columns.flash,
          columns.permanent === null ? null : Number(columns.permanent),
          columns.userId,
          columns.userAgent,
          columns.lastActiveAt,
          columns.expiresAt,
          key,
        );
      }
      s.commit.run();
    } catch (error) {
      // SQLite may have rolled back already (a full disk, say).
      if (db?.isTransaction) s.rollback.run();
      throw error;
    }
  }

  return {
    kind: "server",
    setup() {
      // Opens the file now, so a bad path fails when the sessions are created.
      run("open", () => undefined);
    },
    get(key, context) {
      const row = run("get", (s) => s.get.get(key, context.now));
      return row === undefined ? null : recordFromRow(row as unknown as SessionRow);
    },
    set(key, record, context) {
      // SQLite has no boolean: permanent is 0 or 1.
      const values = recordValues(key, record, context).map((v) =>
        typeof v === "boolean" ? Number(v) : v,
      );
      run("set", (s) => s.set.run(...values));
      schedule.due(context.now);
      return undefined;
    },
    patch(key, changes, context) {
      run("patch", (s) => patch(s, key, changes, context));
      schedule.due(context.now);
    },
    touch(key, lastActiveAt, context) {
      run("touch", (s) => s.touch.run(lastActiveAt, endOf(context), key, context.now));
      schedule.due(context.now);
    },
    destroy(key) {
      run("destroy", (s) => s.destroy.run(key));
    },
    listByUser(userId, context) {
      return recordsFromRows(run("listByUser", (s) => s.listByUser.all(userId, context.now)));
    },
    destroyByUser(userId, except) {
      run("destroyByUser", (s) => s.destroyByUser.run(userId, JSON.stringify(except)));
    },
    sweep,
    get database() {
      run("open", () => undefined);
      return db!;
    },
    close() {
      closed = true;
      statements = undefined;
      if (database === undefined) db?.close();
      db = undefined;
    },
  };
}

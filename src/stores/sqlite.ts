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
      /** The database file (`":memory:"` for one that lives in this process). Opened on first use, in WAL mode, memory-mapped. */
      path: string;
      database?: undefined;
    }
  | {
      /** An open database: its settings (journal mode, busy timeout, `mmap_size`, `cache_size`) are yours, the store sets none, and `close()` leaves it open. */
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
  patchData: StatementSync;
  touch: StatementSync;
  destroy: StatementSync;
  listByUser: StatementSync;
  destroyByUser: StatementSync;
  sweep: StatementSync;
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
}

// The memory map of a file the store opens itself (not of a `database` you pass).
const MMAP_SIZE = 2 ** 30;

// A record's columns after the key, read as an array (see rowOf).
const RECORD = "data, flash, created_at, last_active_at, permanent, user_id, user_agent";

// A row read with setReturnArrays(true), its key apart. node:sqlite makes an
// object row a dictionary (null prototype, its keys looked up for each row):
// making and reading one took 1.6 of the 5 µs of a load at 10^3 sessions; an
// array and this literal take 0.1.
function rowOf(key: unknown, values: unknown[], at: number): SessionRow {
  return {
    key,
    data: values[at],
    flash: values[at + 1],
    created_at: values[at + 2],
    last_active_at: values[at + 3],
    permanent: values[at + 4],
    user_id: values[at + 5],
    user_agent: values[at + 6],
  };
}

/**
 * Sessions in SQLite through `node:sqlite`: the embedded default for one
 * machine. A `path` is opened on first use with `busy_timeout`, WAL mode
 * (readers never wait for the writer), `synchronous=NORMAL` and
 * `mmap_size` 1 GiB (a load reads the OS page cache through a memory map,
 * no system call per page; the SIGBUS that SQLite warns of on an I/O error
 * is the price). A `database` you pass keeps the settings you gave it: the
 * store sets none of these on it. The table and its indexes are created on
 * first use: a new table is `WITHOUT ROWID` (one B-tree lookup per load, not
 * two); one an earlier version made is used as it is. Every statement is
 * prepared once and works on both layouts. A patch reads and
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
        // Reads from the OS page cache through a memory map of the file (up
        // to 1 GiB, some 4 million sessions), not with a read() call per page
        // missing from SQLite's own cache (2 MB, 1% of a file of 10^6
        // sessions): no system call and no copy per load. Pages still in the
        // WAL are read as before. The map is address space, not memory;
        // SQLite's mmap.html notes the price: an I/O error on the file
        // becomes a signal (SIGBUS) instead of an error code.
        handle.exec(`PRAGMA mmap_size = ${MMAP_SIZE}`);
      }
      // A new table is WITHOUT ROWID: its rows live in the key's B-tree, so
      // a load walks one B-tree instead of the key's index and then the
      // table by rowid. SQLite's rule (withoutrowid.html, "When to use"):
      // rows under about 1/20 of a page, 200 bytes on the default 4 KiB
      // pages. A session row is 150 bytes with little data; with 750 (a cart,
      // a long user agent) a load still measured faster than on a rowid
      // table, while 8 or 16 KiB pages made every patch write more. A table
      // made by an earlier version (rowid) stays as it is: every statement
      // here works on both.
      const [createTable, ...indexes] = schema(table, {
        json: "text",
        integer: "integer",
        boolean: "integer",
      });
      handle.exec(`${createTable} WITHOUT ROWID`);
      for (const statement of indexes) handle.exec(statement);
      const t = `"${table}"`;
      const live = "key = ? AND expires_at > ?";
      statements = {
        // The key is the caller's: not read back.
        get: handle.prepare(`SELECT ${RECORD} FROM ${t} WHERE ${live}`),
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
        patchData: handle.prepare(
          `UPDATE ${t} SET data = ?, last_active_at = ?, expires_at = ? WHERE key = ?`,
        ),
        touch: handle.prepare(`UPDATE ${t} SET last_active_at = ?, expires_at = ? WHERE ${live}`),
        destroy: handle.prepare(`DELETE FROM ${t} WHERE key = ?`),
        listByUser: handle.prepare(
          `SELECT key, ${RECORD} FROM ${t} WHERE user_id = ? AND expires_at > ?`,
        ),
        // The kept keys arrive as one JSON array, so one prepared statement serves any count.
        destroyByUser: handle.prepare(
          `DELETE FROM ${t} WHERE user_id = ? AND key NOT IN (SELECT value FROM json_each(?))`,
        ),
        sweep: handle.prepare(
          `DELETE FROM ${t} WHERE key IN
           (SELECT key FROM ${t} WHERE expires_at <= ? LIMIT ${SWEEP_BATCH})`,
        ),
        begin: handle.prepare("BEGIN IMMEDIATE"),
        commit: handle.prepare("COMMIT"),
        rollback: handle.prepare("ROLLBACK"),
      };
      statements.get.setReturnArrays(true);
      statements.readData.setReturnArrays(true);
      statements.listByUser.setReturnArrays(true);
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
      const values = s.readData.get(key, context.now) as unknown[] | undefined;
      const stored = values === undefined ? null : dataFromColumn(values[0]);
      if (stored !== null) {
        // A prototype-less copy, so a "__proto__" key in the patch becomes an
        // own key, which encodeJson then refuses.
        const data: Record<string, unknown> = Object.assign(Object.create(null), stored);
        for (const name of Object.keys(changes.set)) data[name] = changes.set[name];
        for (const name of changes.delete) delete data[name];
        // A patch of the data alone (a visit counter's) names only the
        // columns it changes: an UPDATE that names user_id rewrites that
        // index's entry even when coalesce() keeps the value.
        const plain =
          columns.flash === null &&
          columns.permanent === null &&
          columns.userId === null &&
          columns.userAgent === null;
        if (plain) {
          s.patchData.run(encodeJson(data), columns.lastActiveAt, columns.expiresAt, key);
        } else {
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
      const values = run("get", (s) => s.get.get(key, context.now)) as unknown[] | undefined;
      return values === undefined ? null : recordFromRow(rowOf(key, values, 0));
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
      const rows = run("listByUser", (s) =>
        s.listByUser.all(userId, context.now),
      ) as unknown as unknown[][];
      return recordsFromRows(rows.map((values) => rowOf(values[0], values, 1)));
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

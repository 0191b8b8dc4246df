import { DatabaseSync, type StatementSync } from 'node:sqlite'
import type { ResolvedSqliteOptions } from './options.js'

/** The prepared statements of one store, compiled once when the database opens. */
export interface Statements {
  /** `(key)` → `{ value, expires_at }` */
  readonly get: StatementSync
  /** `(key, value, expiresAt)`: insert or replace. */
  readonly set: StatementSync
  /** `(key, value, expiresAt, now)`: insert unless a live row exists; `changes` 1 when stored. */
  readonly add: StatementSync
  /** `(key)` → `{ expires_at }` of the removed row. */
  readonly delete: StatementSync
  /** `(now, now, limit)`: removes up to `limit` expired rows (and expired tombstones). */
  readonly purgeBatch: StatementSync
  readonly clearAll: StatementSync
  /** `(from, to)` */
  readonly clearRange: StatementSync
  /** `(from)` */
  readonly clearFrom: StatementSync
  /** `(from, to, now, limit)` → `{ key }`, in key order. */
  readonly keysInRange: StatementSync
  /** `(from, now, limit)` → `{ key }`, in key order. */
  readonly keysFrom: StatementSync
  /** `(key)` → `{ version, expires_at, tombstone_until }`: what a conditional write compares. */
  readonly held: StatementSync
  /** `(key, value, expiresAt, version)`: insert or replace, keeping the version. */
  readonly setVersioned: StatementSync
  /** `(key, version, tombstoneUntil)`: replace with a tombstone (an expired row, see conditional). */
  readonly tombstone: StatementSync
  /** `()` → `{ rows, bytes }`: the table's row count and key + value bytes. */
  readonly stats: StatementSync
  readonly begin: StatementSync
  readonly beginWrite: StatementSync
  readonly commit: StatementSync
  readonly rollback: StatementSync
}

/** An open database with the store's table and statements. */
export interface OpenDatabase {
  readonly db: DatabaseSync
  readonly statements: Statements
}

/**
 * Opens the database: sets the busy timeout first (so that everything after it waits for
 * other processes instead of failing), switches a file database to WAL (readers never
 * block the writer and the writer never blocks readers), creates the table and its
 * expiry index when missing, and prepares every statement.
 *
 * The table is `STRICT`: `key BLOB` (UTF-16LE, see `keys.ts`), `value BLOB`,
 * `expires_at REAL` in epoch ms, `Infinity` for never.
 */
export function openDatabase(options: ResolvedSqliteOptions): OpenDatabase {
  const db = new DatabaseSync(options.path)
  try {
    const { setup, deadline } = configureConnection(db, options.path, options.busyTimeoutMs)
    const table = `"${options.table}"`
    setup(`CREATE TABLE IF NOT EXISTS ${table} (
      key BLOB NOT NULL PRIMARY KEY,
      value BLOB NOT NULL,
      expires_at REAL NOT NULL
    ) STRICT`)
    setup(`CREATE INDEX IF NOT EXISTS "${options.table}_expires_at" ON ${table} (expires_at)`)
    addVersionColumns(db, table, setup)
    return { db, statements: retryWhileBusy(() => prepare(db, table), deadline) }
  } catch (error) {
    db.close()
    throw error
  }
}

/** The setup helpers {@link configureConnection} returns. */
export interface ConnectionSetup {
  /** Runs `sql`, retrying while the database is busy, until the deadline. */
  readonly setup: (sql: string) => void
  /** When setup gives up waiting for other processes (epoch ms). */
  readonly deadline: number
}

/**
 * Sets the busy timeout first (so that everything after it waits for other processes
 * instead of failing), then switches a file database to WAL (readers never block the
 * writer and the writer never blocks readers) with `synchronous = NORMAL`.
 */
export function configureConnection(
  db: DatabaseSync,
  path: string,
  busyTimeoutMs: number,
): ConnectionSetup {
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  // SQLite does not always call the busy handler while several processes open one file at
  // once (switching to WAL, recovering the WAL index), so setup retries on its own.
  const deadline = Date.now() + busyTimeoutMs
  const setup = (sql: string) => {
    retryWhileBusy(() => db.exec(sql), deadline)
  }
  if (path !== ':memory:') {
    const mode = retryWhileBusy(() => db.prepare('PRAGMA journal_mode').get(), deadline)
    if (mode?.journal_mode !== 'wal') setup('PRAGMA journal_mode = WAL')
    // In WAL mode NORMAL survives a process crash; only a power loss may drop the last writes.
    setup('PRAGMA synchronous = NORMAL')
  }
  return { setup, deadline }
}

const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6
const pause = new Int32Array(new SharedArrayBuffer(4))

/** Runs `step`, retrying every 5 ms while SQLite reports the database busy, until `deadline`. */
export function retryWhileBusy<T>(step: () => T, deadline: number): T {
  for (;;) {
    try {
      return step()
    } catch (error) {
      const code = (error as { errcode?: number }).errcode
      if ((code !== SQLITE_BUSY && code !== SQLITE_LOCKED) || Date.now() >= deadline) throw error
      Atomics.wait(pause, 0, 0, 5) // setup is synchronous: block briefly, as SQLite itself would
    }
  }
}

/**
 * The columns of conditional writes (`version`, `tombstone_until`), added to a table of an
 * earlier version when missing: nullable, so no row is rewritten. Another process may add
 * them first; its "duplicate column" is success here.
 */
function addVersionColumns(db: DatabaseSync, table: string, setup: (sql: string) => void): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]
  for (const column of ['version', 'tombstone_until']) {
    if (columns.some((each) => each.name === column)) continue
    try {
      setup(`ALTER TABLE ${table} ADD COLUMN ${column} REAL`)
    } catch (error) {
      if (!/duplicate column/i.test(String((error as Error).message))) throw error
    }
  }
}

function prepare(db: DatabaseSync, table: string): Statements {
  const live = 'expires_at > ?'
  return {
    get: db.prepare(`SELECT value, expires_at FROM ${table} WHERE key = ?`),
    set: db.prepare(
      `INSERT INTO ${table} (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
         version = NULL, tombstone_until = NULL`,
    ),
    add: db.prepare(
      `INSERT INTO ${table} (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
         version = NULL, tombstone_until = NULL
       WHERE ${table}.expires_at <= ?`,
    ),
    held: db.prepare(`SELECT version, expires_at, tombstone_until FROM ${table} WHERE key = ?`),
    setVersioned: db.prepare(
      `INSERT INTO ${table} (key, value, expires_at, version) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
         version = excluded.version, tombstone_until = NULL`,
    ),
    tombstone: db.prepare(
      `INSERT INTO ${table} (key, value, expires_at, version, tombstone_until) VALUES (?, x'', 0, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = x'', expires_at = 0,
         version = excluded.version, tombstone_until = excluded.tombstone_until`,
    ),
    delete: db.prepare(`DELETE FROM ${table} WHERE key = ? RETURNING expires_at`),
    purgeBatch: db.prepare(
      `DELETE FROM ${table} WHERE rowid IN
       (SELECT rowid FROM ${table}
        WHERE expires_at <= ? AND coalesce(tombstone_until <= ?, 1) LIMIT ?)`,
    ),
    clearAll: db.prepare(`DELETE FROM ${table}`),
    clearRange: db.prepare(`DELETE FROM ${table} WHERE key >= ? AND key < ?`),
    clearFrom: db.prepare(`DELETE FROM ${table} WHERE key >= ?`),
    keysInRange: db.prepare(
      `SELECT key FROM ${table} WHERE key >= ? AND key < ? AND ${live} ORDER BY key LIMIT ?`,
    ),
    keysFrom: db.prepare(
      `SELECT key FROM ${table} WHERE key >= ? AND ${live} ORDER BY key LIMIT ?`,
    ),
    // length() of a BLOB reads the record header only, never the value's overflow pages.
    stats: db.prepare(
      `SELECT count(*) AS rows, total(length(key) + length(value)) AS bytes FROM ${table}`,
    ),
    begin: db.prepare('BEGIN'),
    // Takes the write lock up front: upgrading a read transaction later could fail with
    // SQLITE_BUSY without waiting, to avoid a deadlock.
    beginWrite: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  }
}

/** The statements that end a transaction. */
export interface TransactionEnds {
  readonly commit: StatementSync
  readonly rollback: StatementSync
}

/**
 * Runs `body` between `begin` and a commit; rolls back and rethrows when it throws.
 * A failed rollback is ignored: SQLite has already rolled back (after SQLITE_BUSY or
 * SQLITE_FULL, say).
 */
export function inTransaction<T>(ends: TransactionEnds, begin: StatementSync, body: () => T): T {
  begin.run()
  try {
    const result = body()
    ends.commit.run()
    return result
  } catch (error) {
    try {
      ends.rollback.run()
    } catch {}
    throw error
  }
}

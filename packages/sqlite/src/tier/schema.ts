import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { configureConnection, retryWhileBusy } from '../database.js'

/** The prepared statements of one tier, compiled once when the database opens. */
export interface TierStatements {
  /** `(key)` → `{ value, expires_at }` */
  readonly get: StatementSync
  /** `(key, value, expiresAt, lastUsed)`: insert or replace. */
  readonly upsert: StatementSync
  /** `(key)` → `{ value, expires_at }` of the removed row. */
  readonly delete: StatementSync
  /** `(key, now)` → `{ value }`: removes the row only if it is dead. */
  readonly deleteDead: StatementSync
  /** `(lastUsed, key)`: records a use. */
  readonly touch: StatementSync
  /** `()` → `{ tick }`: the newest `last_used`. */
  readonly lastTick: StatementSync
  /** `()` → `{ rows, bytes }`: the counters kept by triggers. */
  readonly counters: StatementSync
  /** `(now, limit)` → `{ key, value, expires_at }`: removes up to `limit` dead rows, soonest expiry first. */
  readonly sweep: StatementSync
  /** `(keep, limit)` → `{ key, value, last_used }`: removes the `limit` least recently used rows but `keep`. */
  readonly evict: StatementSync
  /** `()`, `(from)`, `(from, to)` → `{ key, value, expires_at }` of the removed rows. */
  readonly clearAll: StatementSync
  readonly clearFrom: StatementSync
  readonly clearRange: StatementSync
  /** Same returning only `{ expires_at }`, when nobody listens (no value to decode). */
  readonly clearAllQuietly: StatementSync
  readonly clearFromQuietly: StatementSync
  readonly clearRangeQuietly: StatementSync
  /** `(from, now, limit)`, `(from, to, now, limit)` → `{ key }` of live rows, in key order. */
  readonly keysFrom: StatementSync
  readonly keysInRange: StatementSync
  readonly beginWrite: StatementSync
  readonly commit: StatementSync
  readonly rollback: StatementSync
}

/** An open tier database. */
export interface OpenTierDatabase {
  readonly db: DatabaseSync
  readonly statements: TierStatements
}

/**
 * Opens (and on first use creates) a tier's table, in WAL mode:
 *
 * ```sql
 * CREATE TABLE "stack_tier" (
 *   key BLOB NOT NULL PRIMARY KEY,   -- UTF-16LE, as sqliteStore's keys
 *   value BLOB NOT NULL,             -- a core envelope, bound to its key and checksummed
 *   expires_at REAL NOT NULL,        -- epoch ms, Infinity for never
 *   last_used INTEGER NOT NULL       -- LRU order: larger is more recent
 * ) STRICT
 * ```
 *
 * plus indexes on `expires_at` (sweeps) and `last_used` (eviction), and a one-row
 * `<table>_count` table that triggers keep equal to the table's row count and value
 * bytes, so bounding the table never counts its rows. Everything is created in one
 * write transaction, so processes opening a new file at once agree on it.
 */
export function openTierDatabase(
  path: string,
  table: string,
  busyTimeoutMs: number,
): OpenTierDatabase {
  const db = new DatabaseSync(path)
  try {
    const { deadline } = configureConnection(db, path, busyTimeoutMs)
    const t = `"${table}"`
    const count = `"${table}_count"`
    const inTransaction = (sql: string) =>
      retryWhileBusy(() => {
        try {
          db.exec(sql)
        } catch (error) {
          rollbackQuietly(db)
          throw error
        }
      }, deadline)
    inTransaction(`BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS ${t} (
        key BLOB NOT NULL PRIMARY KEY,
        value BLOB NOT NULL,
        expires_at REAL NOT NULL,
        last_used INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON ${t} (expires_at);
      CREATE INDEX IF NOT EXISTS "${table}_last_used" ON ${t} (last_used);
      CREATE TABLE IF NOT EXISTS ${count} (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        rows INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      ) STRICT;
      INSERT OR IGNORE INTO ${count} (id, rows, bytes)
        SELECT 1, count(*), coalesce(sum(length(value)), 0) FROM ${t};
      CREATE TRIGGER IF NOT EXISTS "${table}_count_insert" AFTER INSERT ON ${t} BEGIN
        UPDATE ${count} SET rows = rows + 1, bytes = bytes + length(new.value);
      END;
      CREATE TRIGGER IF NOT EXISTS "${table}_count_delete" AFTER DELETE ON ${t} BEGIN
        UPDATE ${count} SET rows = rows - 1, bytes = bytes - length(old.value);
      END;
      CREATE TRIGGER IF NOT EXISTS "${table}_count_update" AFTER UPDATE OF value ON ${t} BEGIN
        UPDATE ${count} SET bytes = bytes + length(new.value) - length(old.value);
      END;
      COMMIT;`)
    return { db, statements: retryWhileBusy(() => prepare(db, t, count), deadline) }
  } catch (error) {
    db.close()
    throw error
  }
}

function rollbackQuietly(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK')
  } catch {
    // No transaction was open, or SQLite already rolled it back.
  }
}

function prepare(db: DatabaseSync, t: string, count: string): TierStatements {
  const removed = 'RETURNING key, value, expires_at'
  return {
    get: db.prepare(`SELECT value, expires_at FROM ${t} WHERE key = ?`),
    upsert: db.prepare(
      `INSERT INTO ${t} (key, value, expires_at, last_used) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value,
         expires_at = excluded.expires_at, last_used = excluded.last_used`,
    ),
    delete: db.prepare(`DELETE FROM ${t} WHERE key = ? RETURNING value, expires_at`),
    deleteDead: db.prepare(`DELETE FROM ${t} WHERE key = ? AND expires_at <= ? RETURNING value`),
    touch: db.prepare(`UPDATE ${t} SET last_used = ? WHERE key = ?`),
    lastTick: db.prepare(`SELECT coalesce(max(last_used), 0) AS tick FROM ${t}`),
    counters: db.prepare(`SELECT rows, bytes FROM ${count}`),
    sweep: db.prepare(
      `DELETE FROM ${t} WHERE rowid IN
       (SELECT rowid FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) ${removed}`,
    ),
    evict: db.prepare(
      `DELETE FROM ${t} WHERE rowid IN
       (SELECT rowid FROM ${t} WHERE key <> ? ORDER BY last_used LIMIT ?)
       RETURNING key, value, last_used`,
    ),
    clearAll: db.prepare(`DELETE FROM ${t} ${removed}`),
    clearFrom: db.prepare(`DELETE FROM ${t} WHERE key >= ? ${removed}`),
    clearRange: db.prepare(`DELETE FROM ${t} WHERE key >= ? AND key < ? ${removed}`),
    clearAllQuietly: db.prepare(`DELETE FROM ${t} RETURNING expires_at`),
    clearFromQuietly: db.prepare(`DELETE FROM ${t} WHERE key >= ? RETURNING expires_at`),
    clearRangeQuietly: db.prepare(
      `DELETE FROM ${t} WHERE key >= ? AND key < ? RETURNING expires_at`,
    ),
    keysFrom: db.prepare(
      `SELECT key FROM ${t} WHERE key >= ? AND expires_at > ? ORDER BY key LIMIT ?`,
    ),
    keysInRange: db.prepare(
      `SELECT key FROM ${t} WHERE key >= ? AND key < ? AND expires_at > ? ORDER BY key LIMIT ?`,
    ),
    // Takes the write lock up front: upgrading a read transaction later could fail with
    // SQLITE_BUSY without waiting, to avoid a deadlock.
    beginWrite: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
  }
}

import { resolve } from 'node:path'
import { type Duration, InvalidOptionError, toMilliseconds } from '@stack/core'

/** The longest delay `setInterval` honours. */
const MAX_TIMER_MS = 2 ** 31 - 1
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file, created when missing (its directory must exist), or `':memory:'`
   * for a private in-memory database. A relative path is resolved against the working
   * directory once, when the store is created. Several processes may share one file.
   */
  readonly path: string
  /**
   * The table holding the entries, created when missing: a plain SQL identifier
   * (letters, digits, `_`, at most 63 characters, not starting with `sqlite_`).
   * Default `'stack_cache'`. Several stores can share one database with different tables.
   */
  readonly table?: string | undefined
  /**
   * How long a write waits for another connection's write lock before failing with
   * `StoreUnavailableError`, e.g. `'2s'`. The wait blocks the event loop (node:sqlite is
   * synchronous). Default 5 s.
   */
  readonly busyTimeout?: Duration | undefined
  /**
   * Run {@link SqliteStore.purgeExpired} this often in the background (an unref'd timer
   * that never keeps the process alive), e.g. `'10m'`. Default: never; expired rows then
   * stay until overwritten or until you call `purgeExpired()` yourself.
   */
  readonly purgeInterval?: Duration | undefined
}

/** Options after validation. */
export interface ResolvedSqliteOptions {
  readonly path: string
  readonly table: string
  readonly busyTimeoutMs: number
  readonly purgeIntervalMs: number | undefined
}

/** Validates {@link SqliteStoreOptions}; bad values throw `InvalidOptionError` naming the option. */
export function resolveOptions(options: SqliteStoreOptions): ResolvedSqliteOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'sqliteStore() needs an options object with a path')
  }
  const { path, table = 'stack_cache', busyTimeout = 5000 } = options
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidOptionError('path', "path must be a file path or ':memory:'")
  }
  if (typeof table !== 'string' || !IDENTIFIER.test(table) || /^sqlite_/i.test(table)) {
    throw new InvalidOptionError(
      'table',
      `table must be a plain SQL identifier (letters, digits, _; at most 63 characters; not sqlite_*), got ${JSON.stringify(table)}`,
    )
  }
  const busyTimeoutMs = toMilliseconds(busyTimeout, 'busyTimeout')
  if (busyTimeoutMs > MAX_TIMER_MS) {
    throw new InvalidOptionError('busyTimeout', `busyTimeout must be at most ${MAX_TIMER_MS} ms`)
  }
  return {
    path: path === ':memory:' ? path : resolve(path),
    table,
    busyTimeoutMs: Math.ceil(busyTimeoutMs),
    purgeIntervalMs: purgeInterval(options.purgeInterval),
  }
}

function purgeInterval(value: Duration | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = toMilliseconds(value, 'purgeInterval')
  if (ms < 1 || ms > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      'purgeInterval',
      `purgeInterval must be between 1 ms and ${MAX_TIMER_MS} ms (about 24 days), got ${String(value)}`,
    )
  }
  return ms
}

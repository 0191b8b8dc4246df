import { resolve } from 'node:path'
import { type Duration, InvalidOptionError } from '@stack/core'
import { durationOption, type OptionNames, readOptions } from '@stack/core/store-kit'

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

const SQLITE_STORE_OPTIONS: OptionNames<SqliteStoreOptions> = {
  path: true,
  table: true,
  busyTimeout: true,
  purgeInterval: true,
}

/** Validates {@link SqliteStoreOptions}; bad values throw `InvalidOptionError` naming the option. */
export function resolveOptions(options: SqliteStoreOptions): ResolvedSqliteOptions {
  readOptions(options, SQLITE_STORE_OPTIONS, {
    factory: 'sqliteStore',
    hint: 'sqliteStore() needs an options object with a path',
  })
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
  return {
    path: path === ':memory:' ? path : resolve(path),
    table,
    busyTimeoutMs: Math.ceil(durationOption(busyTimeout, 'busyTimeout', 0)),
    purgeIntervalMs: durationOption(options.purgeInterval, 'purgeInterval'),
  }
}

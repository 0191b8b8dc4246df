/**
 * `@stack/sqlite`: a remote store on Node's built-in `node:sqlite` (no native addon to
 * build). A local, persistent, multi-process cache tier in one file.
 *
 * @packageDocumentation
 */
import type { SqliteStoreOptions } from './options.js'
import { SqliteStore } from './sqlite-store.js'

export type { SqliteStoreOptions } from './options.js'
export { SqliteStore } from './sqlite-store.js'

/**
 * Creates a store keeping entries in a table of a SQLite database file (WAL mode, so
 * readers and one writer proceed together, and several processes can share the file).
 * The database opens on the first call; a failure to open rejects that call with
 * `StoreUnavailableError` and the next call tries again.
 *
 * Calls are synchronous underneath: each blocks the event loop while SQLite works,
 * microseconds for one row, up to `busyTimeout` while another process holds the write lock.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { sqliteStore } from '@stack/sqlite'
 *
 * const cache = createCache({
 *   tiers: [memory(), sqliteStore({ path: '.cache/app.db', purgeInterval: '10m' })],
 *   ttl: '5m',
 * })
 * ```
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options)
}

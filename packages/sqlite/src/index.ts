/**
 * `@stack/sqlite`: a remote store ({@link sqliteStore}) and a synchronous local tier
 * ({@link sqliteTier}) on Node's built-in `node:sqlite` (no native addon to build):
 * persistent, multi-process cache tiers in one file.
 *
 * @packageDocumentation
 */
import type { LocalTier } from '@stack/core'
import type { SqliteStoreOptions } from './options.js'
import { SqliteStore } from './sqlite-store.js'
import type { SqliteTierOptions } from './tier/options.js'
import { SqliteTier } from './tier/sqlite-tier.js'

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

export type {
  SqliteTierEvictListener,
  SqliteTierOptions,
} from './tier/options.js'
export { SqliteTier } from './tier/sqlite-tier.js'
export type { SqliteTierStats } from './tier/stats.js'

/**
 * Creates a persistent, **synchronous** local tier on a SQLite file: the
 * {@link LocalTier} contract of `memory()` (same expiry rules, evict reasons and errors),
 * with entries that survive restarts and are shared by every process opening the file.
 * It lets `getOrSetSync` and `wrapSync` persist. Eviction is LRU on `maxEntries`.
 *
 * @example
 * ```ts
 * import { createCache } from '@stack/core'
 * import { sqliteTier } from '@stack/sqlite'
 *
 * const cache = createCache({ tiers: [sqliteTier({ path: '.cache/local.db', maxEntries: 50_000 })] })
 * const config = cache.getOrSetSync('config', () => parseConfigFile(), { ttl: '1h' })
 * ```
 */
export function sqliteTier(options: SqliteTierOptions): SqliteTier {
  return new SqliteTier(options)
}

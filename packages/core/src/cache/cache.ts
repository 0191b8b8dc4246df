import { ClosedError, InvalidOptionError } from '../errors.js'
import type { WrapOptions } from '../wrap/options.js'
import { type WrappedFunction, type WrappedSyncFunction, wrap, wrapSync } from '../wrap/wrap.js'
import { CacheControls } from './cache-controls.js'
import { getOrSet } from './get-or-set.js'
import { localHit } from './hits.js'
import { FullKeys } from './key-memo.js'
import { childPath, keyBase } from './keyspace.js'
import { LoadPipeline } from './loader.js'
import {
  type CacheOptions,
  type GetOptions,
  type GetOrSetOptions,
  type LoaderContext,
  resolveCacheOptions,
  type SetOptions,
} from './options.js'
import { type EntryInfo, hasFresh, readEntry, readMany, readThrough } from './read-calls.js'
import { CacheRuntime } from './runtime.js'
import type {
  ReaderOptions,
  ScheduledReader,
  ScheduledRefresh,
  ScheduleOptions,
} from './schedule.js'
import { startReader, startSchedule } from './scheduling.js'
import { loadSync } from './sync-load.js'
import {
  addValue,
  changeTags,
  removeKeys,
  type SetManyItem,
  setValue,
  writeMany,
} from './write-calls.js'

export type { SetManyItem } from './write-calls.js'

/**
 * Creates a cache over one or more tiers. Without options (or without `tiers`) it is a
 * memory-only cache: one `memory()` tier (10,000 entries, `tinylfu`), entries fresh for
 * 5 minutes, no stale window.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 *
 * const scratch = createCache() // memory-only, default TTL of 5 minutes
 * const cache = createCache({ tiers: [memory({ maxEntries: 50_000 })], ttl: '5m' })
 * const user = await cache.getOrSet(`user:${id}`, () => db.users.find(id))
 * ```
 */
export function createCache(options?: CacheOptions): Cache {
  const runtime = new CacheRuntime(resolveCacheOptions(options))
  return new Cache(runtime, new LoadPipeline(runtime), runtime.root)
}

/**
 * The cache facade: reads go through the tiers fastest first and backfill the faster
 * ones with the entry's remaining life; writes go to every tier. Create one with
 * {@link createCache}; get child caches with {@link Cache.namespace}.
 */
export class Cache extends CacheControls {
  readonly #rt: CacheRuntime
  readonly #loads: LoadPipeline
  /** This namespace's path (see keyspace.ts); its subtree is every key starting with it. */
  readonly #path: string
  readonly #keys: FullKeys

  /** @internal Use {@link createCache} or {@link Cache.namespace}. */
  constructor(runtime: CacheRuntime, loads: LoadPipeline, path: string) {
    super(runtime)
    this.#rt = runtime
    this.#loads = loads
    this.#path = path
    this.#keys = new FullKeys(runtime, keyBase(path))
  }

  /**
   * A child cache whose keys live under `name`, sharing this cache's tiers, stats,
   * events and lifecycle. Any string is a valid name: names are escaped, so no name or
   * key of one namespace can reach another's entries. Its `clear()` removes exactly its
   * subtree from every tier, and its tags are its own (see `tagScope`).
   *
   * @example
   * ```ts
   * const org = cache.namespace('org:1')
   * const user = org.namespace('user:2')
   * await user.set('profile', profile)
   * await org.clear() // drops org 1's entries, user 2's included
   * ```
   */
  namespace(name: string): Cache {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidOptionError('namespace', 'a namespace name must be a non-empty string')
    }
    return new Cache(this.#rt, this.#loads, childPath(this.#path, name))
  }

  /**
   * The fresh value under `key`, or `undefined`.
   *
   * @example
   * ```ts
   * const user = await cache.get<User>('user:1')
   * ```
   */
  get<T = unknown>(key: string, options?: GetOptions): Promise<T | undefined> {
    // Not `async`: an async method returning the read's promise would cost every call
    // extra microtask turns. Anything thrown here still reaches the caller as a rejection.
    try {
      const rt = this.#rt
      const fullKey = this.#keys.of(key)
      if (options === undefined && rt.local !== undefined && rt.enabled) {
        const now = rt.clock()
        const entry = rt.local.get(fullKey, now)
        if (entry !== undefined && now < rt.freshUntil(entry, fullKey)) {
          return Promise.resolve(localHit(rt, key, entry) as T)
        }
      }
      return readThrough(rt, key, fullKey, options) as Promise<T | undefined>
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * What {@link get} would serve for `key`, with its metadata: `{ value, createdAt,
   * freshUntil, staleUntil, tags, tier, tierName }`, or `undefined` exactly when `get`
   * would miss (dead, stale, invalidated by tag, another namespace's, or a disabled
   * cache). `tier` is the position in the `tiers` list of the tier that answered; a
   * remote answer is backfilled and counted as `get` does.
   *
   * @example
   * ```ts
   * const entry = await cache.getEntry<User>('user:1')
   * if (entry) console.log(entry.value, `from ${entry.tierName}`, entry.freshUntil - Date.now())
   * ```
   */
  async getEntry<T = unknown>(
    key: string,
    options?: GetOptions,
  ): Promise<EntryInfo<T> | undefined> {
    return readEntry(this.#rt, key, this.#keys.of(key), options) as Promise<
      EntryInfo<T> | undefined
    >
  }

  /**
   * Whether a fresh value exists under `key`. Touches neither recency nor hit stats
   * and backfills nothing.
   */
  async has(key: string): Promise<boolean> {
    return hasFresh(this.#rt, this.#keys.of(key))
  }

  /**
   * Stores `value` under `key` in every tier (or the selected ones). Rejects with
   * `InvalidValueError` for `undefined` and `SerializationError` (naming the key) when a
   * remote tier cannot hold the value; in both cases nothing is written.
   *
   * @example
   * ```ts
   * await cache.set('user:1', user, { ttl: '10m', tags: ['users'] })
   * ```
   */
  async set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    return setValue(this.#rt, key, this.#keys.of(key), value, options)
  }

  /**
   * Stores `value` only if no live entry exists. Atomicity comes from the deepest
   * remote tier with an atomic `add` (the deepest tier otherwise); on success the
   * tiers above it are filled too. Resolves whether this call stored the value.
   *
   * @example
   * ```ts
   * if (await cache.add('job:42:claimed', workerId, { ttl: '1m' })) runJob(42)
   * ```
   */
  async add<T>(key: string, value: T, options?: SetOptions): Promise<boolean> {
    return addValue(this.#rt, key, this.#keys.of(key), value, options)
  }

  /**
   * Removes `key` from every tier (also while the cache is disabled). Resolves `true`
   * if some tier held a live entry.
   */
  async delete(key: string): Promise<boolean> {
    return (await removeKeys(this.#rt, [key], [this.#keys.of(key)])) > 0
  }

  /**
   * Fresh values for `keys`, in order, `undefined` for misses. Each tier is asked, in
   * one batch call, only for the keys the faster tiers did not have.
   *
   * @example
   * ```ts
   * const [a, b] = await cache.getMany<User>(['user:1', 'user:2'])
   * ```
   */
  async getMany<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]> {
    return readMany(this.#rt, keys, this.#keys.ofMany(keys)) as Promise<(T | undefined)[]>
  }

  /**
   * Stores several values. Every value is validated and serialized before anything is
   * written, so a bad item fails the call without a partial write. Each item's own
   * `tiers` is honoured.
   */
  async setMany<T>(items: readonly SetManyItem<T>[]): Promise<void> {
    return writeMany(this.#rt, items, (key) => this.#keys.of(key))
  }

  /**
   * Removes several keys from every tier (also while the cache is disabled). Resolves
   * the number of keys removed from the tier that held the most of them.
   */
  async deleteMany(keys: readonly string[]): Promise<number> {
    return removeKeys(this.#rt, keys, this.#keys.ofMany(keys))
  }

  /**
   * Removes every entry of this cache or namespace (child namespaces included) from
   * every tier, and from the local tiers of other processes on the bus. On a root cache
   * without a `prefix` this empties the stores entirely, other users' entries included.
   * Also runs while the cache is disabled.
   */
  async clear(): Promise<void> {
    this.#assertOpen()
    await this.#rt.writes.clear(this.#path)
  }

  /**
   * Hard invalidation: entries carrying any of `tags` (written up to now) are never
   * served again, not even as a stale or grace fallback. Costs one write per tag,
   * however many entries carry it. Tags belong to the namespace that wrote the entry
   * (unless the cache's `tagScope` is `'cache'`).
   *
   * @example
   * ```ts
   * await cache.set('post:1', post, { tags: ['posts', 'user:7'] })
   * await cache.invalidateTags(['user:7'])
   * ```
   */
  invalidateTags(tags: readonly string[]): Promise<void> {
    return this.#changeTags(tags, true)
  }

  /**
   * Soft invalidation: entries carrying any of `tags` become stale. `getOrSet` then
   * refreshes them, and may serve them meanwhile under stale-while-revalidate or grace.
   */
  expireTags(tags: readonly string[]): Promise<void> {
    return this.#changeTags(tags, false)
  }

  /**
   * The fresh cached value of `key`, or else the loader's result, cached. Concurrent
   * callers of one key share a single loader call and its outcome; with
   * `distributedLock`, so do other processes. Stale values are served as the freshness
   * options allow (stale-while-revalidate, soft timeout, grace). A loader that resolves
   * `undefined` rejects with `InvalidValueError`: return `null` to cache an absence.
   *
   * @example
   * ```ts
   * const user = await cache.getOrSet(`user:${id}`, async ({ signal }) => {
   *   const res = await fetch(`https://api.example.com/users/${id}`, { signal })
   *   return res.json()
   * }, { ttl: '10m', staleWhileRevalidate: '1m', grace: '1h', tags: [`user:${id}`] })
   * ```
   */
  getOrSet<T>(
    key: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    options?: GetOrSetOptions<T>,
  ): Promise<T> {
    // Not `async`, for the reason given in `get`.
    try {
      return Promise.resolve(
        getOrSet(this.#rt, this.#loads, key, this.#keys.of(key), loader, options),
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * The synchronous `getOrSet` of a cache whose tiers are all local (see
   * {@link CacheControls.isLocalOnly}): a fresh hit, or the loader's result, cached. No
   * stale-while-revalidate or timeouts: a synchronous loader cannot be waited for.
   *
   * @example
   * ```ts
   * const cache = createCache({ tiers: [memory()] })
   * const parsed = cache.getOrSetSync(`schema:${id}`, () => compile(schemas[id]))
   * ```
   */
  getOrSetSync<T>(
    key: string,
    loader: (context: LoaderContext) => T,
    options?: GetOrSetOptions<T>,
  ): T {
    if (!this.isLocalOnly) {
      throw new InvalidOptionError('tiers', 'getOrSetSync needs a cache whose tiers are all local')
    }
    return loadSync(this.#rt, key, this.#keys.of(key), loader, options)
  }

  /**
   * Refreshes `key` with `loader` every period, in the background. With a remote tier
   * that has an atomic `add`, exactly one process per period runs the loader (the
   * others skip that period); other processes read the value from the shared tiers,
   * e.g. with {@link reader}. Timers are unref'd and stopped by `close()`. A loader
   * failure keeps the previous value (see `ttl`) and is reported as an `error` event.
   *
   * @example
   * ```ts
   * const rates = cache.schedule('fx:rates', () => fetchRates(), { every: '1m' })
   * const current = await rates.get()
   * ```
   */
  schedule<T>(
    key: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    options: ScheduleOptions,
  ): ScheduledRefresh<T> {
    return startSchedule(this, this.#rt, key, this.#keys.of(key), loader, options)
  }

  /**
   * Pulls `key` from the shared (remote) tiers into the local tier every period, so
   * that reads in this process stay local while a {@link schedule} in some process
   * keeps the value fresh.
   *
   * @example
   * ```ts
   * const rates = cache.reader<Rates>('fx:rates', { every: '10s' })
   * const current = await rates.get()
   * ```
   */
  reader<T>(key: string, options: ReaderOptions): ScheduledReader<T> {
    return startReader(this, this.#rt, key, this.#keys.of(key), options)
  }

  /**
   * Wraps `fn` so calls go through {@link getOrSet}, keyed by its arguments (a template
   * such as `'user:{0}'`, a key function, or a stable hash of the arguments). The result
   * has `get`, `set`, `invalidate`, `refresh`, `original` and `key` helpers. See
   * docs/wrapping.md.
   *
   * @example
   * ```ts
   * const getUser = cache.wrap((id: number) => db.users.find(id), { key: 'user:{0}', ttl: '10m' })
   * await getUser(1)          // loads and caches
   * await getUser.invalidate(1)
   * ```
   */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R,
    options?: WrapOptions<A, Awaited<R>>,
  ): WrappedFunction<A, R> {
    return wrap(this, fn, options)
  }

  /**
   * Like {@link wrap} for a synchronous function over a cache whose tiers are all
   * local: the wrapped function stays synchronous.
   *
   * @example
   * ```ts
   * const cache = createCache({ tiers: [memory()] })
   * const slug = cache.wrapSync((title: string) => slugify(title), { name: 'slug' })
   * slug('Hello World') // a string, not a promise
   * ```
   */
  wrapSync<A extends unknown[], T>(
    fn: (...args: A) => T,
    options?: WrapOptions<A, T>,
  ): WrappedSyncFunction<A, T> {
    return wrapSync(this, fn, options)
  }

  // ---- helpers -----------------------------------------------------------------

  async #changeTags(tags: readonly string[], hard: boolean): Promise<void> {
    this.#assertOpen()
    return changeTags(this.#rt, this.#path, tags, hard)
  }

  #assertOpen(): void {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
  }
}

import { ClosedError, InvalidKeyError, InvalidOptionError } from '../errors.js'
import type { CacheEvents } from '../events.js'
import { type CacheStats, copyStats } from '../stats.js'
import type { WrapOptions } from '../wrap/options.js'
import { type WrappedFunction, type WrappedSyncFunction, wrap, wrapSync } from '../wrap/wrap.js'
import { buildEntry, writePolicy } from './entries.js'
import { emitKey, type Fallback, localHit } from './hits.js'
import { childPath, keyBase } from './keyspace.js'
import { LoadPipeline } from './loader.js'
import {
  type CacheOptions,
  type GetOptions,
  type GetOrSetOptions,
  type LoaderContext,
  resolveCacheOptions,
  type SetOptions,
  validateSetOptions,
} from './options.js'
import { hasFresh, readMany, readThrough } from './read-calls.js'
import { CacheRuntime } from './runtime.js'
import type {
  ReaderOptions,
  ScheduledReader,
  ScheduledRefresh,
  ScheduleOptions,
} from './schedule.js'
import { startReader, startSchedule } from './scheduling.js'
import { loadSync } from './sync-load.js'
import { addEntry, changeTags, type SetManyItem, writeMany } from './write-calls.js'

export type { SetManyItem } from './write-calls.js'

/** Full keys a cache view remembers at most; past it, it starts over. */
const REMEMBERED_KEYS = 10_000
/** Longer keys are not remembered, so the memo stays small whatever keys callers use. */
const REMEMBERED_KEY_LENGTH = 256

/**
 * Creates a cache over one or more tiers.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 *
 * const cache = createCache({ tiers: [memory({ maxEntries: 50_000 })], ttl: '5m' })
 * const user = await cache.getOrSet(`user:${id}`, () => db.users.find(id))
 * ```
 */
export function createCache(options: CacheOptions): Cache {
  const runtime = new CacheRuntime(resolveCacheOptions(options))
  return new Cache(runtime, new LoadPipeline(runtime), runtime.root)
}

/**
 * The cache facade: reads go through the tiers fastest first and backfill the faster
 * ones with the entry's remaining life; writes go to every tier. Create one with
 * {@link createCache}; get child caches with {@link Cache.namespace}.
 */
export class Cache {
  readonly #rt: CacheRuntime
  readonly #loads: LoadPipeline
  /** This namespace's path (see keyspace.ts); its subtree is every key starting with it. */
  readonly #path: string
  /** What this namespace's full keys start with: the path and the key mark. */
  readonly #keyBase: string
  /** Caller key → full key, for the keys seen lately (bounded). */
  readonly #fullKeys = new Map<string, string>()

  /** @internal Use {@link createCache} or {@link Cache.namespace}. */
  constructor(runtime: CacheRuntime, loads: LoadPipeline, path: string) {
    this.#rt = runtime
    this.#loads = loads
    this.#path = path
    this.#keyBase = keyBase(path)
  }

  /** The cache's name, from its options. */
  get name(): string {
    return this.#rt.options.name
  }

  /** `true` when every tier is local, so {@link getOrSetSync} can answer synchronously. */
  get isLocalOnly(): boolean {
    return this.#rt.remotes.length === 0
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
  async get<T = unknown>(key: string, options?: GetOptions): Promise<T | undefined> {
    const rt = this.#rt
    const fullKey = this.#key(key)
    if (options === undefined && rt.local !== undefined) {
      const now = rt.clock()
      const entry = rt.local.get(fullKey, now)
      if (entry !== undefined && now < rt.freshUntil(entry, fullKey)) {
        return localHit(rt, key, entry) as T
      }
    }
    return readThrough(this.#rt, key, fullKey, options) as Promise<T | undefined>
  }

  /**
   * Whether a fresh value exists under `key`. Touches neither recency nor hit stats
   * and backfills nothing.
   */
  async has(key: string): Promise<boolean> {
    return hasFresh(this.#rt, this.#key(key))
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
    const fullKey = this.#key(key)
    if (options !== undefined) validateSetOptions(options, 'set')
    const policy = writePolicy(this.#rt.options.policy, options)
    const entry = buildEntry(key, value, this.#rt.clock(), policy, options)
    if (!this.#rt.options.enabled) return
    await this.#rt.writes.write(fullKey, entry, options?.tiers ?? 'all')
    emitKey(this.#rt, 'set', key)
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
    const rt = this.#rt
    const fullKey = this.#key(key)
    if (options !== undefined) validateSetOptions(options, 'add')
    const entry = buildEntry(
      key,
      value,
      rt.clock(),
      writePolicy(rt.options.policy, options),
      options,
    )
    if (!rt.options.enabled) return false
    const added = await addEntry(rt, fullKey, entry)
    if (added) emitKey(rt, 'set', key)
    return added
  }

  /** Removes `key` from every tier. Resolves `true` if some tier held a live entry. */
  async delete(key: string): Promise<boolean> {
    const fullKey = this.#key(key)
    if (!this.#rt.options.enabled) return false
    const removed = (await this.#rt.writes.remove([fullKey])) > 0
    emitKey(this.#rt, 'delete', key)
    return removed
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
    return readMany(this.#rt, keys, this.#keys(keys)) as Promise<(T | undefined)[]>
  }

  /**
   * Stores several values. Every value is validated and serialized before anything is
   * written, so a bad item fails the call without a partial write. Each item's own
   * `tiers` is honoured.
   */
  async setMany<T>(items: readonly SetManyItem<T>[]): Promise<void> {
    return writeMany(this.#rt, items, (key) => this.#key(key))
  }

  /**
   * Removes several keys from every tier. Resolves the number of keys removed from the
   * tier that held the most of them.
   */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const fullKeys = this.#keys(keys)
    if (fullKeys.length === 0 || !this.#rt.options.enabled) return 0
    const removed = await this.#rt.writes.remove(fullKeys)
    for (const key of keys) emitKey(this.#rt, 'delete', key)
    return removed
  }

  /**
   * Removes every entry of this cache or namespace (child namespaces included) from
   * every tier, and from the local tiers of other processes on the bus. On a root cache
   * without a `prefix` this empties the stores entirely, other users' entries included.
   */
  async clear(): Promise<void> {
    this.#assertOpen()
    if (!this.#rt.options.enabled) return
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
  async getOrSet<T>(
    key: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    options?: GetOrSetOptions<T>,
  ): Promise<T> {
    const rt = this.#rt
    const fullKey = this.#key(key)
    const policy = options === undefined ? rt.options.policy : rt.policyFor(options)
    let fallback: Fallback | undefined
    if (options?.forceFresh !== true && options?.tiers !== 'remote' && rt.local !== undefined) {
      const now = rt.clock()
      const entry = rt.local.get(fullKey, now)
      if (entry !== undefined) {
        const freshUntil = rt.freshUntil(entry, fullKey)
        if (freshUntil !== Number.NEGATIVE_INFINITY && (options?.validate?.(entry) ?? true)) {
          if (now < freshUntil) {
            if (policy.beta > 0 || entry.tags.length > 0)
              this.#loads.maintain(
                { key, fullKey, loader, policy, options },
                entry,
                now,
                freshUntil,
              )
            return localHit(rt, key, entry) as T
          }
          fallback = { entry, freshUntil, tier: -1 }
        }
      }
    }
    if (typeof loader !== 'function')
      throw new InvalidOptionError('loader', 'getOrSet needs a loader function')
    const request = { key, fullKey, loader, policy, options }
    return this.#loads.resolve(request, fallback) as Promise<T>
  }

  /**
   * The synchronous `getOrSet` of a cache whose tiers are all local (see
   * {@link isLocalOnly}): a fresh hit, or the loader's result, cached. No
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
    return loadSync(this.#rt, key, this.#key(key), loader, options)
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
    return startSchedule(this, this.#rt, key, this.#key(key), loader, options)
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
    return startReader(this, this.#rt, key, this.#key(key), options)
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

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<K extends keyof CacheEvents>(
    event: K,
    listener: (payload: CacheEvents[K]) => void,
  ): () => void {
    return this.#rt.events.on(event, listener)
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof CacheEvents>(event: K, listener: (payload: CacheEvents[K]) => void): void {
    this.#rt.events.off(event, listener)
  }

  /** A snapshot of the counters, per cache and per tier (shared with namespaces). */
  stats(): CacheStats {
    return copyStats(this.#rt.stats, this.#rt.recovery.stats(), this.#rt.storeStats())
  }

  /**
   * Aborts loaders in flight, flushes write-behind writes, closes the bus and every
   * tier, and makes every later call reject with `ClosedError`. Closing a namespace
   * closes the whole cache. Idempotent.
   */
  close(): Promise<void> {
    this.#rt.closing ??= this.#rt.close()
    return this.#rt.closing
  }

  // ---- helpers -----------------------------------------------------------------

  async #changeTags(tags: readonly string[], hard: boolean): Promise<void> {
    this.#assertOpen()
    return changeTags(this.#rt, this.#path, tags, hard)
  }

  #key(key: string): string {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
    const known = this.#fullKeys.get(key)
    if (known !== undefined) return known
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidKeyError(
        `a cache key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
        typeof key === 'string' ? key : undefined,
      )
    }
    // A concatenated key is hashed anew by every Map lookup it meets; a remembered one
    // carries its hash, which keeps the local hit path as cheap as an unprefixed key.
    const fullKey = this.#keyBase + key
    if (key.length > REMEMBERED_KEY_LENGTH) return fullKey
    if (this.#fullKeys.size >= REMEMBERED_KEYS) this.#fullKeys.clear()
    this.#fullKeys.set(key, fullKey)
    return fullKey
  }

  #keys(keys: readonly string[]): string[] {
    if (!Array.isArray(keys)) throw new InvalidKeyError('expected an array of keys')
    return keys.map((key) => this.#key(key))
  }

  #assertOpen(): void {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
  }
}

import { toMilliseconds } from '../duration.js'
import { type CacheEntry, NO_TAGS } from '../entry.js'
import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  TimeoutError,
} from '../errors.js'
import type { CacheEvents } from '../events.js'
import { type CacheStats, copyStats, type TierStats } from '../stats.js'
import { loadChannel, traced } from '../tracing.js'
import type { WrapOptions } from '../wrap/options.js'
import { type WrappedFunction, type WrappedSyncFunction, wrap, wrapSync } from '../wrap/wrap.js'
import { shouldRefreshEarly } from './early-refresh.js'
import type { Flight } from './flights.js'
import { LoadContext } from './load-context.js'
import {
  type CacheOptions,
  type GetOptions,
  type GetOrSetOptions,
  type LoaderContext,
  type Policy,
  resolveCacheOptions,
  resolvePolicy,
  type SetOptions,
  type TierSelection,
  validateGetOptions,
  validateSetOptions,
  validateTags,
} from './options.js'
import type { RemoteTier } from './remote-tier.js'
import { CacheRuntime, type Found, RESERVED_SEGMENT } from './runtime.js'
import {
  claimScheduledKey,
  every,
  type ReaderOptions,
  readReaderOptions,
  readScheduleOptions,
  type ScheduledReader,
  type ScheduledRefresh,
  type ScheduleOptions,
} from './schedule.js'

/** One item of {@link Cache.setMany}. */
export interface SetManyItem<T = unknown> extends SetOptions {
  readonly key: string
  readonly value: T
}

/** A stale entry a loader call may fall back to. */
interface Fallback {
  readonly entry: CacheEntry
  /** Effective end of freshness (tags applied). */
  readonly freshUntil: number
  /** Remote tier index, or -1 for the local tier. */
  readonly tier: number
}

/** One `getOrSet` call, as the loading steps pass it along. */
interface LoadRequest<T> {
  readonly key: string
  readonly fullKey: string
  readonly loader: (context: LoaderContext) => T | Promise<T>
  readonly policy: Policy
  readonly options: GetOrSetOptions<T> | undefined
}

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
  const resolved = resolveCacheOptions(options)
  return new Cache(new CacheRuntime(resolved), resolved.keyPrefix)
}

/**
 * The cache facade: reads go through the tiers fastest first and backfill the faster
 * ones with the entry's remaining life; writes go to every tier. Create one with
 * {@link createCache}; get child caches with {@link Cache.namespace}.
 */
export class Cache {
  readonly #rt: CacheRuntime
  readonly #prefix: string

  /** @internal Use {@link createCache} or {@link Cache.namespace}. */
  constructor(runtime: CacheRuntime, prefix: string) {
    this.#rt = runtime
    this.#prefix = prefix
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
   * events and lifecycle. Its `clear()` removes exactly its subtree from every tier.
   *
   * @example
   * ```ts
   * const org = cache.namespace('org:1')
   * const user = org.namespace('user:2')
   * await user.set('profile', profile) // key 'org:1:user:2:profile' in every tier
   * await org.clear()                  // drops org 1's entries, user 2's included
   * ```
   */
  namespace(name: string): Cache {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidOptionError('namespace', 'a namespace name must be a non-empty string')
    }
    return new Cache(this.#rt, `${this.#prefix}${name}:`)
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
      if (entry !== undefined && now < rt.freshUntil(entry)) return this.#localHit(key, entry) as T
    }
    return this.#getSlow(key, fullKey, options) as Promise<T | undefined>
  }

  /**
   * Whether a fresh value exists under `key`. Touches neither recency nor hit stats
   * and backfills nothing.
   */
  async has(key: string): Promise<boolean> {
    const rt = this.#rt
    const fullKey = this.#key(key)
    if (!rt.options.enabled) return false
    const entry = rt.local?.peek(fullKey)
    if (entry !== undefined && rt.clock() < rt.freshUntil(entry)) return true
    for (let i = 0; i < rt.remotes.length; i++) {
      const remote = await rt.tryRemote(i, fullKey, 'has', (tier) => tier.get(fullKey))
      if (remote !== undefined && rt.clock() < rt.freshUntil(remote)) return true
    }
    return false
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
    const fullKey = this.#writableKey(key)
    if (options !== undefined) validateSetOptions(options, 'set')
    const entry = this.#entry(key, value, this.#rt.clock(), this.#policy(options), options)
    if (!this.#rt.options.enabled) return
    await this.#rt.write(fullKey, entry, options?.tiers ?? 'all')
    this.#emit('set', key)
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
    const fullKey = this.#writableKey(key)
    if (options !== undefined) validateSetOptions(options, 'add')
    const now = rt.clock()
    const entry = this.#entry(key, value, now, this.#policy(options), options)
    if (!rt.options.enabled) return false
    if (rt.remotes.length === 0) {
      const held = rt.local?.peek(fullKey)
      if (held !== undefined && rt.freshUntil(held) !== Number.NEGATIVE_INFINITY) return false
      await rt.write(fullKey, entry, 'local')
      this.#emit('set', key)
      return true
    }
    const native = rt.remotes.findLastIndex((tier) => tier.store.capabilities.add)
    const owner = native >= 0 ? native : rt.remotes.length - 1
    const bytes = (rt.remotes[0] as RemoteTier).encode(fullKey, entry)
    const added = await rt.tryRemote(owner, fullKey, 'add', (tier) =>
      tier.store.add(fullKey, bytes, entry.staleUntil),
    )
    if (added !== true) return false
    rt.noteMutation()
    rt.flights.supersede(fullKey)
    rt.local?.set(fullKey, entry, entry.staleUntil)
    await Promise.all(
      rt.remotes
        .slice(0, owner)
        .map((_, i) => rt.tryWrite(i, fullKey, 'add', (tier) => tier.set(fullKey, bytes, entry))),
    )
    rt.stats.sets++
    await rt.announce({ keys: [fullKey] })
    this.#emit('set', key)
    return true
  }

  /** Removes `key` from every tier. Resolves `true` if some tier held a live entry. */
  async delete(key: string): Promise<boolean> {
    const fullKey = this.#key(key)
    if (!this.#rt.options.enabled) return false
    const removed = (await this.#rt.remove([fullKey])) > 0
    this.#emit('delete', key)
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
    const rt = this.#rt
    const fullKeys = this.#keys(keys)
    if (!rt.options.enabled) return fullKeys.map(() => undefined)
    const now = rt.clock()
    const found: (Found | undefined)[] = fullKeys.map((fullKey) => {
      const entry = rt.local?.get(fullKey, now)
      if (entry === undefined) return undefined
      const freshUntil = rt.freshUntil(entry)
      return now < freshUntil ? { entry, tier: -1, freshUntil } : undefined
    })
    if (rt.localStats) countLocal(rt.localStats, found)
    await rt.readRemotesMany(fullKeys, found)
    return found.map((hit, index) => {
      const key = keys[index] as string
      if (hit === undefined) {
        rt.stats.misses++
        this.#emit('miss', key)
        return undefined
      }
      rt.stats.hits++
      return hit.entry.value as T
    })
  }

  /**
   * Stores several values. Every value is validated and serialized before anything is
   * written, so a bad item fails the call without a partial write.
   */
  async setMany<T>(items: readonly SetManyItem<T>[]): Promise<void> {
    const rt = this.#rt
    if (!Array.isArray(items))
      throw new InvalidValueError('setMany expects an array of { key, value }')
    const now = rt.clock()
    let tiers: TierSelection = 'all'
    const writes = items.map((item) => {
      const { key, value, ...options } = item
      const fullKey = this.#writableKey(key)
      validateSetOptions(options, 'setMany')
      tiers = options.tiers ?? tiers
      const entry = this.#entry(key, value, now, this.#policy(options), options)
      const bytes =
        rt.remotes.length === 0 ? undefined : (rt.remotes[0] as RemoteTier).encode(key, entry)
      return { key, fullKey, entry, bytes }
    })
    if (writes.length === 0 || !rt.options.enabled) return
    await rt.writeMany(writes, tiers)
    for (const { key } of writes) this.#emit('set', key)
  }

  /**
   * Removes several keys from every tier. Resolves the number of keys removed from the
   * tier that held the most of them.
   */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const fullKeys = this.#keys(keys)
    if (fullKeys.length === 0 || !this.#rt.options.enabled) return 0
    const removed = await this.#rt.remove(fullKeys)
    for (const key of keys) this.#emit('delete', key)
    return removed
  }

  /**
   * Removes every entry of this cache or namespace from every tier, and from the local
   * tiers of other processes on the bus. On a root cache without a `prefix` this empties
   * the stores entirely, other users' entries included.
   */
  async clear(): Promise<void> {
    this.#assertOpen()
    if (!this.#rt.options.enabled) return
    await this.#rt.clear(this.#prefix)
  }

  /**
   * Hard invalidation: entries carrying any of `tags` (written up to now) are never
   * served again, not even as a stale or grace fallback. Costs one write per tag,
   * however many entries carry it.
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
        const freshUntil = rt.freshUntil(entry)
        if (freshUntil !== Number.NEGATIVE_INFINITY && (options?.validate?.(entry) ?? true)) {
          if (now < freshUntil) {
            if (policy.beta > 0 || entry.tags.length > 0)
              this.#maintain({ key, fullKey, loader, policy, options }, entry, now, freshUntil)
            return this.#localHit(key, entry) as T
          }
          fallback = { entry, freshUntil, tier: -1 }
        }
      }
    }
    if (typeof loader !== 'function')
      throw new InvalidOptionError('loader', 'getOrSet needs a loader function')
    return this.#resolve({ key, fullKey, loader, policy, options }, fallback) as Promise<T>
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
    const rt = this.#rt
    if (!this.isLocalOnly) {
      throw new InvalidOptionError('tiers', 'getOrSetSync needs a cache whose tiers are all local')
    }
    const fullKey = this.#key(key)
    const policy = options === undefined ? rt.options.policy : rt.policyFor(options)
    const now = rt.clock()
    if (options?.forceFresh !== true && rt.local !== undefined) {
      const entry = rt.local.get(fullKey, now)
      if (
        entry !== undefined &&
        now < rt.freshUntil(entry) &&
        (options?.validate?.(entry) ?? true)
      ) {
        return this.#localHit(key, entry) as T
      }
    }
    rt.stats.misses++
    this.#emit('miss', key)
    const context = new LoadContext(key, undefined, options?.tags)
    const started = performance.now()
    rt.stats.loads++
    let value: T
    try {
      value = loader(context)
    } catch (error) {
      rt.stats.loadErrors++
      rt.reportError(key, undefined, 'load', error)
      throw error
    } finally {
      rt.stats.loadTime += performance.now() - started
    }
    if (isPromiseLike(value)) {
      throw new InvalidValueError(
        `the loader for key "${key}" returned a promise; use getOrSet`,
        key,
      )
    }
    this.#checkLoaded(key, value)
    if (rt.options.enabled && !context.skipped && (options?.cacheIf?.(value) ?? true)) {
      const entry = this.#entry(key, value, now, policy, { ttl: context.ttl, tags: context.tags })
      rt.local?.set(fullKey, entry, entry.staleUntil)
      rt.stats.sets++
      void rt.announce({ keys: [fullKey] })
    }
    return value
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
    const rt = this.#rt
    const fullKey = this.#writableKey(key)
    if (typeof loader !== 'function')
      throw new InvalidOptionError('loader', 'schedule needs a loader function')
    readScheduleOptions(options)
    const period = toMilliseconds(options?.every, 'every')
    const jitter = toMilliseconds(options.jitter ?? 0, 'jitter')
    validateTags(options.tags)
    const loadOptions: GetOrSetOptions<T> = {
      ttl: options.ttl ?? (period > 0 ? period * 2 : rt.options.policy.ttl),
      ...(options.tags && { tags: options.tags }),
    }
    const refresh = async (): Promise<T | undefined> => {
      if (rt.closing !== undefined) return undefined
      if (period > 0 && !(await rt.claimPeriod(fullKey, period))) return undefined
      try {
        return await this.getOrSet(key, loader, { ...loadOptions, forceFresh: true })
      } catch {
        return undefined // reported through the `error` event by the load itself
      }
    }
    const release = claimScheduledKey(rt, fullKey)
    const stopTimer =
      period > 0 ? every(period, jitter, options.runImmediately ?? true, refresh) : () => {}
    const stop = () => {
      stopTimer()
      release()
      rt.background.delete(stop)
    }
    rt.background.add(stop)
    return { key, refresh, get: () => this.getOrSet(key, loader, loadOptions), stop }
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
    const rt = this.#rt
    const fullKey = this.#key(key)
    const { runImmediately } = readReaderOptions(options)
    const period = toMilliseconds(options?.every, 'every')
    const pull = async (): Promise<void> => {
      if (rt.closing === undefined && rt.options.enabled) await rt.readRemotes(fullKey, undefined)
    }
    const stopTimer = period > 0 ? every(period, 0, runImmediately, pull) : () => {}
    const stop = () => {
      stopTimer()
      rt.background.delete(stop)
    }
    rt.background.add(stop)
    return { key, get: () => this.get<T>(key), pull, stop }
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
    return copyStats(this.#rt.stats)
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

  // ---- reads -------------------------------------------------------------------

  async #getSlow(key: string, fullKey: string, options: GetOptions | undefined): Promise<unknown> {
    const rt = this.#rt
    if (options !== undefined) validateGetOptions(options, 'get')
    if (!rt.options.enabled) return undefined
    const tiers = options?.tiers ?? 'all'
    if (tiers !== 'remote' && rt.local !== undefined) {
      if (options !== undefined) {
        const now = rt.clock()
        const entry = rt.local.get(fullKey, now)
        if (
          entry !== undefined &&
          now < rt.freshUntil(entry) &&
          (options.validate?.(entry) ?? true)
        ) {
          return this.#localHit(key, entry)
        }
      }
      ;(rt.localStats as TierStats).misses++
    }
    if (tiers !== 'local') {
      const found = await rt.readRemotes(fullKey, options?.validate)
      if (found !== undefined && rt.clock() < found.freshUntil) return this.#remoteHit(key, found)
    }
    rt.stats.misses++
    this.#emit('miss', key)
    return undefined
  }

  #localHit(key: string, entry: CacheEntry): unknown {
    const rt = this.#rt
    rt.stats.hits++
    ;(rt.localStats as TierStats).hits++
    if (rt.events.listening('hit')) {
      rt.events.emit('hit', { key, tier: (rt.local as { name: string }).name, stale: false })
    }
    return entry.value
  }

  #remoteHit(key: string, found: Found): unknown {
    const rt = this.#rt
    rt.stats.hits++
    if (rt.events.listening('hit')) {
      rt.events.emit('hit', {
        key,
        tier: (rt.remoteStats[found.tier] as TierStats).name,
        stale: false,
      })
    }
    return found.entry.value
  }

  /** Serves a stale value: counts it on the cache (stale or grace) and on its tier. */
  #staleHit(key: string, fallback: Fallback, grace: boolean): unknown {
    const rt = this.#rt
    if (grace) rt.stats.graceHits++
    else rt.stats.staleHits++
    const tierStats = fallback.tier < 0 ? rt.localStats : rt.remoteStats[fallback.tier]
    if (tierStats) tierStats.staleHits++
    if (rt.events.listening('hit')) {
      rt.events.emit('hit', { key, tier: tierStats?.name ?? 'unknown', stale: true })
    }
    return fallback.entry.value
  }

  // ---- loading -----------------------------------------------------------------

  /** Work a fresh local hit may start in the background: early refresh, tag sync. */
  #maintain<T>(request: LoadRequest<T>, entry: CacheEntry, now: number, freshUntil: number): void {
    const rt = this.#rt
    if (entry.tags.length > 0 && rt.tags.isStale(entry.tags, now)) {
      rt.tags
        .sync(entry.tags, now)
        .catch((error) => rt.reportError(request.key, undefined, 'tags', error))
    }
    const beta = request.policy.beta
    if (beta > 0 && shouldRefreshEarly(now, freshUntil, entry.loadTime, beta)) {
      this.#refreshInBackground(request, { entry, freshUntil, tier: -1 })
    }
  }

  async #resolve<T>(request: LoadRequest<T>, fallback: Fallback | undefined): Promise<unknown> {
    const { key, fullKey, loader, policy, options } = request
    const rt = this.#rt
    this.#writableKey(key)
    if (!rt.options.enabled) return loader(new LoadContext(key, undefined, options?.tags))
    if (rt.localStats && fallback === undefined && options?.tiers !== 'remote')
      rt.localStats.misses++
    if (fallback !== undefined && this.#withinRevalidation(fallback, policy)) {
      this.#refreshInBackground(request, fallback)
      return this.#staleHit(key, fallback, false)
    }
    const flight = rt.flights.get(fullKey)
    // A superseded flight loads a value from before a write, delete or clear that has
    // since completed: a caller arriving after that change must not get its answer.
    if (flight !== undefined && !flight.superseded) {
      rt.stats.coalesced++
      return flight.answer
    }
    return rt.flights.start(fullKey, (started) => this.#load(request, fallback, started, false))
      .answer
  }

  #refreshInBackground<T>(request: LoadRequest<T>, fallback: Fallback): void {
    const rt = this.#rt
    const running = rt.flights.get(request.fullKey)
    if ((running !== undefined && !running.superseded) || rt.closing !== undefined) return
    rt.stats.refreshes++
    rt.flights.start(request.fullKey, (flight) => this.#load(request, fallback, flight, true))
  }

  /**
   * One loader run for a key: look in the remote tiers, respect the grace backoff and
   * the distributed lock, call the loader under the timeouts, cache the result.
   */
  async #load<T>(
    request: LoadRequest<T>,
    fallback: Fallback | undefined,
    flight: Flight,
    background: boolean,
  ): Promise<unknown> {
    const { key, fullKey, policy, options } = request
    const rt = this.#rt
    const tiers = options?.tiers ?? 'all'
    if (options?.forceFresh !== true && tiers !== 'local' && rt.remotes.length > 0) {
      const found = await rt.readRemotes(fullKey, options?.validate)
      if (found !== undefined) {
        if (rt.clock() < found.freshUntil) return this.#remoteHit(key, found)
        if (fallback === undefined || found.entry.createdAt > fallback.entry.createdAt)
          fallback = found
        if (!background && this.#withinRevalidation(fallback, policy)) {
          flight.resolve(this.#staleHit(key, fallback, false))
          rt.stats.refreshes++
          background = true
        }
      }
    }
    if (!background) {
      rt.stats.misses++
      this.#emit('miss', key)
    }
    const retryAfter = rt.graceRetryAfter.get(fullKey)
    if (
      retryAfter !== undefined &&
      rt.clock() < retryAfter &&
      fallback &&
      this.#withinGrace(fallback, policy)
    ) {
      return this.#staleHit(key, fallback, true)
    }
    this.#assertOpen()
    const lockKey = `${rt.reservedPrefix}lock:${fullKey}`
    let locked = false
    if (rt.lock !== undefined) {
      const waited = await this.#acquireLock(fullKey, lockKey, options)
      if (waited.found) return this.#remoteHit(key, waited.found)
      locked = waited.locked
    }
    try {
      return await this.#callLoader(request, fallback, flight, background)
    } finally {
      if (locked) {
        // A failed release is counted by the tier call; the lock expires by itself.
        await rt.lock?.release(lockKey).catch(() => undefined)
      }
    }
  }

  async #callLoader<T>(
    request: LoadRequest<T>,
    fallback: Fallback | undefined,
    flight: Flight,
    background: boolean,
  ): Promise<unknown> {
    const { key, fullKey, loader, policy, options } = request
    const rt = this.#rt
    const context = new LoadContext(key, fallback?.entry.value, options?.tags)
    const createdAt = rt.clock()
    const started = performance.now()
    rt.loads.add(context.controller)
    rt.stats.loads++
    const timers: NodeJS.Timeout[] = []
    if (fallback !== undefined && policy.softTimeout !== Number.POSITIVE_INFINITY && !background) {
      timers.push(
        unrefTimer(() => {
          flight.resolve(this.#staleHit(key, fallback, false))
          rt.stats.refreshes++
        }, policy.softTimeout),
      )
    }
    let value: T
    try {
      value = await this.#withHardTimeout(
        key,
        loader,
        context,
        policy.hardTimeout,
        timers,
        background,
      )
    } catch (error) {
      rt.stats.loadErrors++
      rt.reportError(key, undefined, 'load', error)
      this.#emitLoad(key, started, background, error)
      if (
        fallback !== undefined &&
        this.#withinGrace(fallback, policy) &&
        rt.closing === undefined
      ) {
        rt.graceRetryAfter.set(fullKey, rt.clock() + policy.graceBackoff)
        return this.#staleHit(key, fallback, true)
      }
      throw error
    } finally {
      for (const timer of timers) clearTimeout(timer)
      rt.loads.delete(context.controller)
      rt.stats.loadTime += performance.now() - started
    }
    const loadTime = performance.now() - started
    this.#emitLoad(key, started, background, undefined)
    rt.graceRetryAfter.delete(fullKey)
    this.#checkLoaded(key, value)
    if (!context.skipped && !flight.superseded && (options?.cacheIf?.(value) ?? true)) {
      const entry = this.#entry(
        key,
        value,
        rt.clock(),
        policy,
        { ttl: context.ttl, tags: context.tags },
        createdAt,
        loadTime,
      )
      await rt.write(fullKey, entry, options?.tiers ?? 'all', flight)
      this.#emit('set', key)
    }
    return value
  }

  async #withHardTimeout<T>(
    key: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    context: LoadContext,
    hardTimeout: number,
    timers: NodeJS.Timeout[],
    background: boolean,
  ): Promise<T> {
    const loading = traced(
      loadChannel,
      () => ({ cache: this.#rt.options.name, key, background }),
      async () => loader(context),
    )
    if (hardTimeout === Number.POSITIVE_INFINITY) return loading
    return new Promise<T>((resolve, reject) => {
      timers.push(
        unrefTimer(() => {
          const error = new TimeoutError(
            `the loader for key "${key}" did not finish within ${hardTimeout} ms`,
            hardTimeout,
            key,
          )
          context.controller.abort(error)
          reject(error)
        }, hardTimeout),
      )
      loading.then(resolve, reject)
    })
  }

  /**
   * Takes the distributed lock, or waits for its holder's value: re-reads the remote
   * tiers every `retryInterval` until a fresh value appears or the lock's timeout passes
   * (its holder crashed), then loads anyway.
   */
  async #acquireLock(
    fullKey: string,
    lockKey: string,
    options: GetOrSetOptions<never> | undefined,
  ): Promise<{ locked: boolean; found?: Found }> {
    const rt = this.#rt
    const lock = rt.lock as NonNullable<CacheRuntime['lock']>
    // Past one lock lifetime the holder has crashed and its lock has expired: keep trying
    // to take it (exactly one waiter will) for one more lifetime, then load regardless.
    const giveUpAt = rt.clock() + 2 * lock.timeout
    let counted = false
    for (;;) {
      let locked: boolean | undefined
      try {
        locked = await lock.acquire(lockKey, rt.clock())
      } catch {
        locked = undefined // strict mode: the failure is already counted and reported
      }
      if (locked === undefined) return { locked: false }
      if (locked) {
        // The previous holder may have written just before releasing.
        const found = await rt.readRemotes(fullKey, options?.validate)
        if (found !== undefined && rt.clock() < found.freshUntil) {
          await lock.release(lockKey).catch(() => undefined)
          return { locked: false, found }
        }
        return { locked: true }
      }
      if (!counted) {
        rt.stats.lockWaits++
        counted = true
      }
      await sleep(lock.retryInterval)
      this.#assertOpen()
      const found = await rt.readRemotes(fullKey, options?.validate)
      if (found !== undefined && rt.clock() < found.freshUntil) return { locked: false, found }
      if (rt.clock() >= giveUpAt) return { locked: false }
    }
  }

  #withinRevalidation(fallback: Fallback, policy: Policy): boolean {
    const now = this.#rt.clock()
    return (
      now < fallback.freshUntil + policy.staleWhileRevalidate && now < fallback.entry.staleUntil
    )
  }

  #withinGrace(fallback: Fallback, policy: Policy): boolean {
    const now = this.#rt.clock()
    return now < fallback.freshUntil + policy.grace && now < fallback.entry.staleUntil
  }

  // ---- helpers -----------------------------------------------------------------

  async #changeTags(tags: readonly string[], hard: boolean): Promise<void> {
    this.#assertOpen()
    validateTags(tags)
    if (tags.length === 0) return
    const change = { tags: [...tags], hard, at: this.#rt.clock() }
    await this.#rt.tags.record(change)
    await this.#rt.announce({ tags: change })
    if (this.#rt.events.listening('tags')) this.#rt.events.emit('tags', { tags: change.tags, hard })
  }

  #key(key: string): string {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidKeyError(
        `a cache key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
        typeof key === 'string' ? key : undefined,
      )
    }
    return this.#prefix === '' ? key : this.#prefix + key
  }

  /** A key that may be written: not in the space core reserves for tags and locks. */
  #writableKey(key: string): string {
    const fullKey = this.#key(key)
    if (fullKey.startsWith(this.#rt.reservedPrefix)) {
      throw new InvalidKeyError(
        `keys starting with "${RESERVED_SEGMENT}" are reserved for @stack`,
        key,
      )
    }
    return fullKey
  }

  #keys(keys: readonly string[]): string[] {
    if (!Array.isArray(keys)) throw new InvalidKeyError('expected an array of keys')
    return keys.map((key) => this.#key(key))
  }

  #assertOpen(): void {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
  }

  #policy(options: SetOptions | undefined): Policy {
    const policy = this.#rt.options.policy
    if (
      options?.ttl === undefined &&
      options?.staleWhileRevalidate === undefined &&
      options?.grace === undefined
    ) {
      return policy
    }
    return resolvePolicy(policy, {
      ...(options.ttl !== undefined && { ttl: options.ttl }),
      ...(options.staleWhileRevalidate !== undefined && {
        staleWhileRevalidate: options.staleWhileRevalidate,
      }),
      ...(options.grace !== undefined && { grace: options.grace }),
    })
  }

  #entry(
    key: string,
    value: unknown,
    now: number,
    policy: Policy,
    overrides:
      | { ttl?: SetOptions['ttl'] | undefined; tags?: SetOptions['tags'] | undefined }
      | undefined,
    createdAt = now,
    loadTime?: number,
  ): CacheEntry {
    if (value === undefined) {
      throw new InvalidValueError(
        `cannot cache undefined for key "${key}" (a read would look like a miss); use null`,
        key,
      )
    }
    const ttl = overrides?.ttl === undefined ? policy.ttl : toMilliseconds(overrides.ttl, 'ttl')
    const freshUntil = now + ttl
    const staleUntil = freshUntil + Math.max(policy.staleWhileRevalidate, policy.grace)
    const tags = overrides?.tags ?? NO_TAGS
    return loadTime === undefined
      ? { value, createdAt, freshUntil, staleUntil, tags }
      : { value, createdAt, freshUntil, staleUntil, tags, loadTime }
  }

  #checkLoaded(key: string, value: unknown): void {
    if (value === undefined) {
      throw new InvalidValueError(
        `the loader for key "${key}" resolved undefined; return null to cache an absence`,
        key,
      )
    }
  }

  #emit(event: 'set' | 'delete' | 'miss', key: string): void {
    const events = this.#rt.events
    if (events.listening(event)) events.emit(event, { key })
  }

  #emitLoad(key: string, started: number, background: boolean, error: unknown): void {
    const events = this.#rt.events
    if (events.listening('load')) {
      events.emit('load', { key, duration: performance.now() - started, background, error })
    }
  }
}

function countLocal(stats: TierStats, found: readonly (Found | undefined)[]): void {
  for (const hit of found) {
    if (hit === undefined) stats.misses++
    else stats.hits++
  }
}

function unrefTimer(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(callback, ms)
  timer.unref()
  return timer
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => unrefTimer(resolve, ms))
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

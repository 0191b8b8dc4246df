import { toMilliseconds } from '../duration.js'
import { type CacheEntry, NO_TAGS } from '../entry.js'
import { EnvelopeCodec } from '../envelope.js'
import {
  ClosedError,
  type DecodeError,
  InvalidKeyError,
  InvalidValueError,
  StoreUnavailableError,
} from '../errors.js'
import { type CacheEvents, Emitter } from '../events.js'
import type { LocalTier } from '../local-tier.js'
import { type CacheStats, copyStats, createStats, type TierStats } from '../stats.js'
import type { StoreWrite } from '../store.js'
import { LoadContext } from './load-context.js'
import {
  type CacheOptions,
  type GetOrSetOptions,
  type LoaderContext,
  type ResolvedCacheOptions,
  resolveCacheOptions,
  type SetOptions,
  validateGetOrSetOptions,
  validateSetOptions,
} from './options.js'
import { RemoteTier } from './remote-tier.js'
import { SingleFlight } from './single-flight.js'

/** One item of {@link Cache.setMany}. */
export interface SetManyItem<T = unknown> extends SetOptions {
  readonly key: string
  readonly value: T
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
  return new Cache(resolveCacheOptions(options))
}

/**
 * The cache facade: reads go through the tiers fastest first and backfill the faster
 * ones with the entry's remaining life; writes go to every tier. Create one with
 * {@link createCache}.
 */
export class Cache {
  readonly #options: ResolvedCacheOptions
  readonly #local: LocalTier<CacheEntry> | undefined
  readonly #remotes: readonly RemoteTier[]
  readonly #clock: () => number
  readonly #prefix: string
  readonly #stats: CacheStats
  /** Stats of the local tier (or undefined), then of each remote, in tier order. */
  readonly #localStats: TierStats | undefined
  readonly #remoteStats: readonly TierStats[]
  readonly #events = new Emitter<CacheEvents>()
  readonly #flights = new SingleFlight<unknown>()
  readonly #loads = new Set<AbortController>()
  #closing: Promise<void> | undefined

  /** @internal Use {@link createCache}. */
  constructor(options: ResolvedCacheOptions) {
    this.#options = options
    this.#local = options.local
    this.#clock = options.clock
    this.#prefix = options.keyPrefix
    const codec = new EnvelopeCodec({
      serializer: options.serializer,
      compressThreshold: options.compressThreshold,
    })
    this.#remotes = options.remotes.map(
      (store, index) => new RemoteTier(store, codec, (error) => this.#decodeFailed(index, error)),
    )
    const names = [
      ...(options.local ? [options.local.name] : []),
      ...this.#remotes.map((tier) => tier.name),
    ]
    this.#stats = createStats(names)
    this.#localStats = options.local ? this.#stats.tiers[0] : undefined
    this.#remoteStats = this.#stats.tiers.slice(options.local ? 1 : 0)
    options.local?.addEvictListener?.((fullKey, _, reason) => {
      if (this.#events.listening('evict') && fullKey.startsWith(this.#prefix)) {
        this.#events.emit('evict', { key: fullKey.slice(this.#prefix.length), reason })
      }
    })
  }

  /** The cache's name, from its options. */
  get name(): string {
    return this.#options.name
  }

  /**
   * The fresh value under `key`, or `undefined`.
   *
   * @example
   * ```ts
   * const user = await cache.get<User>('user:1')
   * ```
   */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const fullKey = this.#key(key)
    const entry = this.#local?.get(fullKey)
    if (entry !== undefined && this.#isFresh(entry)) return this.#localHit(key, entry) as T as T
    if (this.#localStats) this.#localStats.misses++
    const found = await this.#readRemotes(key, fullKey)
    return this.#answer(key, found) as T | undefined
  }

  /**
   * Whether a fresh value exists under `key`. Touches neither recency nor hit stats
   * and backfills nothing.
   */
  async has(key: string): Promise<boolean> {
    const fullKey = this.#key(key)
    const entry = this.#local?.peek(fullKey)
    if (entry !== undefined && this.#isFresh(entry)) return true
    for (let i = 0; i < this.#remotes.length; i++) {
      const remote = await this.#tryRemote(i, fullKey, 'has', (tier) => tier.get(fullKey))
      if (remote !== undefined && this.#isFresh(remote)) return true
    }
    return false
  }

  /**
   * Stores `value` under `key` in every tier. Rejects with `InvalidValueError` for
   * `undefined` and `SerializationError` (naming the key) when a remote tier cannot
   * hold the value; in both cases nothing is written.
   *
   * @example
   * ```ts
   * await cache.set('user:1', user, { ttl: '10m' })
   * ```
   */
  async set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    const fullKey = this.#key(key)
    if (options !== undefined) validateSetOptions(options, 'set')
    await this.#write(key, fullKey, this.#entry(key, value, options?.ttl, options?.tags))
  }

  /**
   * Removes `key` from every tier. Resolves `true` if some tier held a live entry.
   */
  async delete(key: string): Promise<boolean> {
    const fullKey = this.#key(key)
    let removed = this.#local?.delete(fullKey) ?? false
    const results = await Promise.all(
      this.#remotes.map((_, i) =>
        this.#tryRemote(i, fullKey, 'delete', (tier) => tier.store.delete(fullKey)),
      ),
    )
    removed = results.some(Boolean) || removed
    this.#stats.deletes++
    if (this.#events.listening('delete')) this.#events.emit('delete', { key })
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
    const fullKeys = this.#keys(keys)
    const entries: (CacheEntry | undefined)[] = fullKeys.map((fullKey) => {
      const entry = this.#local?.get(fullKey)
      return entry !== undefined && this.#isFresh(entry) ? entry : undefined
    })
    if (this.#localStats) this.#count(this.#localStats, entries)
    let missing = indexesOfMissing(entries)
    for (let i = 0; i < this.#remotes.length && missing.length > 0; i++) {
      const wanted = missing.map((index) => fullKeys[index] as string)
      const found = await this.#tryRemote(i, wanted[0] as string, 'getMany', (tier) =>
        tier.getMany(wanted),
      )
      if (found === undefined) continue
      const fresh = found.map((entry) =>
        entry !== undefined && this.#isFresh(entry) ? entry : undefined,
      )
      this.#count(this.#remoteStats[i] as TierStats, fresh)
      fresh.forEach((entry, j) => {
        if (entry === undefined) return
        const index = missing[j] as number
        entries[index] = entry
        this.#backfill(fullKeys[index] as string, entry, i)
      })
      missing = indexesOfMissing(entries)
    }
    return entries.map((entry, index) => this.#answer(keys[index] as string, entry)) as (
      | T
      | undefined
    )[]
  }

  /**
   * Stores several values. Every value is validated and serialized before anything is
   * written, so a bad item fails the call without a partial write.
   */
  async setMany<T>(items: readonly SetManyItem<T>[]): Promise<void> {
    if (!Array.isArray(items))
      throw new InvalidValueError('setMany expects an array of { key, value }')
    const writes = items.map((item) => {
      const { key, value, ...options } = item
      const fullKey = this.#key(key)
      validateSetOptions(options, 'setMany')
      return { key, fullKey, entry: this.#entry(key, value, options.ttl, options.tags) }
    })
    if (writes.length === 0) return
    const encoded =
      this.#remotes.length === 0 ? [] : writes.map((w) => this.#encode(w.key, w.fullKey, w.entry))
    await Promise.all(
      this.#remotes.map((_, i) =>
        this.#tryWrite(i, writes[0]?.fullKey as string, 'setMany', (tier) => tier.setMany(encoded)),
      ),
    )
    for (const { key, fullKey, entry } of writes) {
      this.#local?.set(fullKey, entry, entry.staleUntil)
      this.#stats.sets++
      if (this.#events.listening('set')) this.#events.emit('set', { key })
    }
  }

  /**
   * Removes several keys from every tier. Resolves the number of keys removed from the
   * tier that held the most of them.
   */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const fullKeys = this.#keys(keys)
    if (fullKeys.length === 0) return 0
    let removed = 0
    if (this.#local) for (const fullKey of fullKeys) if (this.#local.delete(fullKey)) removed++
    const counts = await Promise.all(
      this.#remotes.map((_, i) =>
        this.#tryRemote(i, fullKeys[0] as string, 'deleteMany', (tier) =>
          tier.store.deleteMany(fullKeys),
        ),
      ),
    )
    this.#stats.deletes += fullKeys.length
    if (this.#events.listening('delete'))
      for (const key of keys) this.#events.emit('delete', { key })
    return Math.max(removed, ...counts.map((count) => count ?? 0))
  }

  /**
   * Removes every entry of this cache (its `prefix`) from every tier. Without a prefix
   * this empties the stores entirely, other users' entries included.
   */
  async clear(): Promise<void> {
    this.#assertOpen()
    this.#local?.clear(this.#prefix)
    await Promise.all(
      this.#remotes.map((_, i) =>
        this.#tryWrite(i, undefined, 'clear', (tier) => tier.store.clear(this.#prefix)),
      ),
    )
  }

  /**
   * The fresh cached value of `key`, or else the loader's result, cached. Concurrent
   * callers of one key share a single loader call and its outcome (value or error).
   * A loader that resolves `undefined` rejects with `InvalidValueError`: return `null`
   * to cache an absence.
   *
   * @example
   * ```ts
   * const user = await cache.getOrSet(`user:${id}`, async ({ signal }) => {
   *   const res = await fetch(`https://api.example.com/users/${id}`, { signal })
   *   return res.json()
   * }, { ttl: '10m', tags: [`user:${id}`] })
   * ```
   */
  async getOrSet<T>(
    key: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    const fullKey = this.#key(key)
    if (options !== undefined) validateGetOrSetOptions(options)
    if (options?.forceFresh !== true) {
      const entry = this.#local?.get(fullKey)
      if (entry !== undefined && this.#isFresh(entry)) return this.#localHit(key, entry) as T
      if (this.#localStats) this.#localStats.misses++
    }
    const pending = this.#flights.pending(fullKey)
    if (pending !== undefined) {
      this.#stats.coalesced++
      return pending as Promise<T>
    }
    return this.#flights.run(fullKey, () => this.#load(key, fullKey, loader, options)) as Promise<T>
  }

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<K extends keyof CacheEvents>(
    event: K,
    listener: (payload: CacheEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof CacheEvents>(event: K, listener: (payload: CacheEvents[K]) => void): void {
    this.#events.off(event, listener)
  }

  /** A snapshot of the cache's counters, per cache and per tier. */
  stats(): CacheStats {
    return copyStats(this.#stats)
  }

  /**
   * Aborts loaders in flight, closes every tier, and makes every later call reject with
   * `ClosedError`. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    for (const controller of this.#loads) controller.abort(new ClosedError(this.#options.name))
    this.#local?.close()
    const results = await Promise.allSettled(this.#remotes.map((tier) => tier.store.close()))
    const failed = results.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  }

  async #load<T>(
    key: string,
    fullKey: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    options: GetOrSetOptions | undefined,
  ): Promise<T> {
    if (options?.forceFresh !== true) {
      const found = await this.#readRemotes(key, fullKey)
      if (found !== undefined) return this.#answer(key, found) as T
    }
    if (this.#closing !== undefined) throw new ClosedError(this.#options.name)
    this.#stats.misses++
    if (this.#events.listening('miss')) this.#events.emit('miss', { key })
    const context = new LoadContext(key, options?.ttl, options?.tags)
    this.#loads.add(context.controller)
    const started = performance.now()
    let value: T
    try {
      this.#stats.loads++
      value = await loader(context)
    } catch (error) {
      this.#stats.loadErrors++
      this.#reportError(key, undefined, 'load', error)
      throw error
    } finally {
      this.#stats.loadTime += performance.now() - started
      this.#loads.delete(context.controller)
    }
    if (value === undefined) {
      throw new InvalidValueError(
        `the loader for key "${key}" resolved undefined; return null to cache an absence`,
        key,
      )
    }
    if (!context.skipped) {
      await this.#write(key, fullKey, this.#entry(key, value, context.ttl, context.tags))
    }
    return value
  }

  #key(key: string): string {
    if (this.#closing !== undefined) throw new ClosedError(this.#options.name)
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidKeyError(
        `a cache key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
        typeof key === 'string' ? key : undefined,
      )
    }
    return this.#prefix === '' ? key : this.#prefix + key
  }

  #keys(keys: readonly string[]): string[] {
    if (!Array.isArray(keys)) throw new InvalidKeyError('expected an array of keys')
    return keys.map((key) => this.#key(key))
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError(this.#options.name)
  }

  #isFresh(entry: CacheEntry): boolean {
    return entry.freshUntil === Number.POSITIVE_INFINITY || this.#clock() < entry.freshUntil
  }

  #localHit(key: string, entry: CacheEntry): unknown {
    this.#stats.hits++
    ;(this.#localStats as TierStats).hits++
    if (this.#events.listening('hit')) {
      this.#events.emit('hit', {
        key,
        tier: (this.#local as LocalTier<CacheEntry>).name,
        stale: false,
      })
    }
    return entry.value
  }

  /** Counts and reports the outcome of a read that went past the local tier. */
  #answer(key: string, entry: CacheEntry | undefined): unknown {
    if (entry === undefined) {
      this.#stats.misses++
      if (this.#events.listening('miss')) this.#events.emit('miss', { key })
      return undefined
    }
    this.#stats.hits++
    return entry.value
  }

  /** First fresh entry in the remote tiers, backfilling the tiers above it. */
  async #readRemotes(key: string, fullKey: string): Promise<CacheEntry | undefined> {
    for (let i = 0; i < this.#remotes.length; i++) {
      const stats = this.#remoteStats[i] as TierStats
      const entry = await this.#tryRemote(i, fullKey, 'get', (tier) => tier.get(fullKey))
      if (entry === undefined || !this.#isFresh(entry)) {
        stats.misses++
        continue
      }
      stats.hits++
      if (this.#events.listening('hit')) {
        this.#events.emit('hit', { key, tier: stats.name, stale: false })
      }
      this.#backfill(fullKey, entry, i)
      return entry
    }
    return undefined
  }

  /**
   * Copies an entry found in remote tier `foundAt` into the tiers above it. The entry
   * keeps its own absolute deadlines, so backfilling never extends its life.
   */
  #backfill(fullKey: string, entry: CacheEntry, foundAt: number): void {
    this.#local?.set(fullKey, entry, entry.staleUntil)
    if (foundAt === 0) return
    let bytes: Uint8Array
    try {
      bytes = (this.#remotes[0] as RemoteTier).encode(fullKey, entry)
    } catch (error) {
      this.#reportError(fullKey, undefined, 'backfill', error)
      return
    }
    for (let i = 0; i < foundAt; i++) {
      void this.#tryRemote(i, fullKey, 'backfill', (tier) => tier.set(fullKey, bytes, entry))
    }
  }

  #entry(
    key: string,
    value: unknown,
    ttl: SetOptions['ttl'],
    tags: SetOptions['tags'],
  ): CacheEntry {
    if (value === undefined) {
      throw new InvalidValueError(
        `cannot cache undefined for key "${key}" (a read would look like a miss); use null`,
        key,
      )
    }
    const now = this.#clock()
    const freshFor = ttl === undefined ? this.#options.ttl : toMilliseconds(ttl, 'ttl')
    const freshUntil = now + freshFor
    return { value, createdAt: now, freshUntil, staleUntil: freshUntil, tags: tags ?? NO_TAGS }
  }

  #encode(key: string, fullKey: string, entry: CacheEntry): StoreWrite {
    const bytes = (this.#remotes[0] as RemoteTier).encode(key, entry)
    return { key: fullKey, value: bytes, expiresAt: entry.staleUntil }
  }

  /** Writes to the remote tiers first (encoding once), then to the local tier. */
  async #write(key: string, fullKey: string, entry: CacheEntry): Promise<void> {
    if (this.#remotes.length > 0) {
      const { value: bytes } = this.#encode(key, fullKey, entry)
      await Promise.all(
        this.#remotes.map((_, i) =>
          this.#tryWrite(i, fullKey, 'set', (tier) => tier.set(fullKey, bytes, entry)),
        ),
      )
    }
    this.#local?.set(fullKey, entry, entry.staleUntil)
    this.#stats.sets++
    if (this.#events.listening('set')) this.#events.emit('set', { key })
  }

  /**
   * Runs a remote tier operation. A failure is counted and reported; in strict mode it
   * rejects, otherwise it resolves `undefined` so the other tiers can answer.
   */
  async #tryRemote<R>(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<R>,
  ): Promise<R | undefined> {
    const tier = this.#remotes[index] as RemoteTier
    try {
      return await call(tier)
    } catch (error) {
      ;(this.#remoteStats[index] as TierStats).errors++
      this.#reportError(fullKey, tier.name, operation, error)
      if (this.#options.strict || ClosedError.isInstance(error))
        throw asStoreError(tier.name, error, fullKey)
      return undefined
    }
  }

  /**
   * Like {@link #tryRemote} for writes: when a write fails in strict mode the local
   * copy is dropped too, so this process does not keep serving a value the shared
   * tiers may not hold.
   */
  async #tryWrite(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<void>,
  ): Promise<void> {
    try {
      await this.#tryRemote(index, fullKey, operation, call)
    } catch (error) {
      if (fullKey !== undefined) this.#local?.delete(fullKey)
      throw error
    }
  }

  #decodeFailed(index: number, error: DecodeError): void {
    ;(this.#remoteStats[index] as TierStats).errors++
    this.#reportError(error.key, this.#remoteStats[index]?.name, 'decode', error)
  }

  #reportError(
    key: string | undefined,
    tier: string | undefined,
    operation: string,
    error: unknown,
  ): void {
    this.#stats.errors++
    if (this.#events.listening('error')) this.#events.emit('error', { key, tier, operation, error })
  }

  #count(stats: TierStats, entries: readonly (CacheEntry | undefined)[]): void {
    for (const entry of entries) {
      if (entry === undefined) stats.misses++
      else stats.hits++
    }
  }
}

function indexesOfMissing(entries: readonly (CacheEntry | undefined)[]): number[] {
  const missing: number[] = []
  entries.forEach((entry, index) => {
    if (entry === undefined) missing.push(index)
  })
  return missing
}

/** Store errors pass through; anything else a store threw becomes `StoreUnavailableError`. */
function asStoreError(store: string, error: unknown, key: string | undefined): unknown {
  if (ClosedError.isInstance(error) || StoreUnavailableError.isInstance(error)) return error
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('E_')
  ) {
    return error
  }
  return new StoreUnavailableError(store, (error as Error)?.message ?? String(error), error, key)
}

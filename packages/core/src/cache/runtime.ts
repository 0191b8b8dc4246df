import type { CacheEntry } from '../entry.js'
import { EnvelopeCodec } from '../envelope.js'
import { ClosedError, type DecodeError, StoreUnavailableError } from '../errors.js'
import { type CacheEvents, Emitter } from '../events.js'
import type { LocalTier } from '../local-tier.js'
import { type CacheStats, createStats, type TierStats } from '../stats.js'
import type { StoreWrite } from '../store.js'
import { tierChannel, traced } from '../tracing.js'
import { BusLink, type Invalidation } from './bus-link.js'
import { type Flight, Flights } from './flights.js'
import { DistributedLock } from './lock.js'
import {
  type GetOrSetOptions,
  type Policy,
  type ResolvedCacheOptions,
  resolvePolicy,
  type TierSelection,
  validateGetOrSetOptions,
} from './options.js'
import { RemoteTier } from './remote-tier.js'
import { TagRegistry } from './tags.js'
import { WriteBehindQueue } from './write-behind.js'

/** Keys core keeps for itself (tag timestamps, locks), under the cache's own prefix. */
export const RESERVED_SEGMENT = '__stack:'

/** An entry found in a remote tier, and which one. */
export interface Found {
  readonly entry: CacheEntry
  readonly tier: number
  /** The entry's effective end of freshness (tags applied). */
  readonly freshUntil: number
}

/**
 * Everything a cache and its namespaces share: tiers, counters, events, flights,
 * tags, bus, locks. It knows tiers and entries; the `Cache` view on top of it knows
 * caller keys and the public API.
 */
export class CacheRuntime {
  readonly options: ResolvedCacheOptions
  readonly local: LocalTier<CacheEntry> | undefined
  readonly remotes: readonly RemoteTier[]
  readonly clock: () => number
  readonly stats: CacheStats
  readonly localStats: TierStats | undefined
  readonly remoteStats: readonly TierStats[]
  readonly events = new Emitter<CacheEvents>()
  readonly flights = new Flights()
  /** Abort controllers of the loaders running now. */
  readonly loads = new Set<AbortController>()
  readonly tags: TagRegistry
  readonly bus: BusLink | undefined
  readonly lock: DistributedLock | undefined
  readonly writeBehind: WriteBehindQueue | undefined
  /** Full key → time before which a failed loader is not retried (grace backoff). */
  readonly graceRetryAfter = new Map<string, number>()
  readonly reservedPrefix: string
  /** Stops the schedules and readers running on this cache. */
  readonly background = new Set<() => void>()
  closing: Promise<void> | undefined
  /**
   * Per-call option objects already validated, with their policy. Callers that reuse
   * one options object (as `wrap` does) pay validation once; an options object is
   * therefore read once, and later mutations of it are not seen.
   */
  readonly #policies = new WeakMap<object, Policy>()
  /**
   * Counts writes, deletes and clears (here or announced by the bus). A read that saw
   * this number change while it waited on a remote tier does not backfill what it read:
   * the entry may be the one a concurrent delete or write just replaced.
   */
  #mutations = 0

  constructor(options: ResolvedCacheOptions) {
    this.options = options
    this.local = options.local
    this.clock = options.clock
    this.reservedPrefix = options.keyPrefix + RESERVED_SEGMENT
    const codec = new EnvelopeCodec({
      serializer: options.serializer,
      compressThreshold: options.compressThreshold,
    })
    this.remotes = options.remotes.map(
      (store, index) =>
        new RemoteTier(
          store,
          codec,
          (error) => this.#decodeFailed(index, error),
          options.tierGuard,
        ),
    )
    for (const tier of this.remotes) {
      tier.guard.onStateChange((state, previous) => {
        if (this.events.listening('circuit'))
          this.events.emit('circuit', { tier: tier.name, state, previous })
      })
    }
    this.stats = createStats([
      ...(options.local ? [options.local.name] : []),
      ...this.remotes.map((tier) => tier.name),
    ])
    this.localStats = options.local ? this.stats.tiers[0] : undefined
    this.remoteStats = this.stats.tiers.slice(options.local ? 1 : 0)
    this.tags = new TagRegistry(
      this.remotes.length === 0
        ? undefined
        : {
            read: (keys) => this.#readTimestamps(keys),
            write: (key, at) => this.#writeTimestamp(key, at),
          },
      `${this.reservedPrefix}tag:`,
      options.tagSyncInterval,
    )
    const lockTier = options.lock?.tier
    this.lock =
      options.lock &&
      new DistributedLock(
        (operation, key, call) => this.tryRemote(lockTier as number, key, operation, call),
        options.lock.timeout,
        options.lock.retryInterval,
      )
    this.writeBehind =
      options.writeBehind &&
      new WriteBehindQueue(options.writeBehind.maxQueue, (error) =>
        this.reportError(undefined, undefined, 'write-behind', error),
      )
    const rootPrefix = options.keyPrefix
    options.local?.addEvictListener?.((fullKey, _, reason) => {
      if (this.events.listening('evict') && fullKey.startsWith(rootPrefix)) {
        this.events.emit('evict', { key: fullKey.slice(rootPrefix.length), reason })
      }
    })
    this.bus =
      options.bus &&
      new BusLink(options.bus, (error) => this.reportError(undefined, 'bus', 'bus', error))
    this.bus
      ?.subscribe({
        apply: (message) => this.#applyRemote(message),
        reset: () => this.#resetLocal(),
      })
      .catch((error) => this.reportError(undefined, 'bus', 'subscribe', error))
  }

  /** The policy of per-call `getOrSet` options, validated on first sight. */
  policyFor(options: GetOrSetOptions<never>): Policy {
    let policy = this.#policies.get(options)
    if (policy === undefined) {
      validateGetOrSetOptions(options)
      policy = resolvePolicy(this.options.policy, options)
      this.#policies.set(options, policy)
    }
    return policy
  }

  /**
   * When a held entry stops being fresh, after its tags: a number at or before `now`
   * means stale, `-Infinity` means dead.
   */
  freshUntil(entry: CacheEntry): number {
    return entry.tags.length === 0 ? entry.freshUntil : this.tags.freshUntil(entry)
  }

  /**
   * The best live entry in the remote tiers: the first fresh one, or else the first
   * stale one. Tags of found entries are synced first; `validate` rejects entries.
   * Whatever is returned is backfilled into the tiers above it.
   */
  async readRemotes(
    fullKey: string,
    validate: ((entry: CacheEntry) => boolean) | undefined,
  ): Promise<Found | undefined> {
    let stale: Found | undefined
    const mutations = this.#mutations
    for (let i = 0; i < this.remotes.length; i++) {
      const stats = this.remoteStats[i] as TierStats
      const entry = await this.tryRemote(i, fullKey, 'get', (tier) => tier.get(fullKey))
      const found = entry && (await this.#judgeFound(entry, i, validate))
      if (found === undefined) {
        stats.misses++
        continue
      }
      if (this.clock() < found.freshUntil) {
        stats.hits++
        if (mutations === this.#mutations) this.backfill(fullKey, entry as CacheEntry, i)
        return found
      }
      stale ??= found
    }
    if (stale && mutations === this.#mutations) this.backfill(fullKey, stale.entry, stale.tier)
    return stale
  }

  /** Like {@link readRemotes} for many keys: one batch call per tier, for the keys still missing. */
  async readRemotesMany(fullKeys: readonly string[], found: (Found | undefined)[]): Promise<void> {
    const mutations = this.#mutations
    for (let i = 0; i < this.remotes.length; i++) {
      const missing: number[] = []
      for (let k = 0; k < fullKeys.length; k++) if (found[k] === undefined) missing.push(k)
      if (missing.length === 0) return
      const wanted = missing.map((k) => fullKeys[k] as string)
      const entries = await this.tryRemote(i, wanted[0], 'getMany', (tier) => tier.getMany(wanted))
      const stats = this.remoteStats[i] as TierStats
      if (entries === undefined) {
        stats.misses += missing.length
        continue
      }
      for (let j = 0; j < missing.length; j++) {
        const entry = entries[j]
        const judged = entry && (await this.#judgeFound(entry, i, undefined))
        if (judged === undefined || this.clock() >= judged.freshUntil) {
          stats.misses++
          continue
        }
        const k = missing[j] as number
        stats.hits++
        found[k] = judged
        if (mutations === this.#mutations) this.backfill(fullKeys[k] as string, judged.entry, i)
      }
    }
  }

  /**
   * Copies an entry found in remote tier `foundAt` into the tiers above it. The entry
   * keeps its own absolute deadlines, so backfilling never extends its life.
   */
  backfill(fullKey: string, entry: CacheEntry, foundAt: number): void {
    this.local?.set(fullKey, entry, entry.staleUntil)
    if (foundAt === 0) return
    let bytes: Uint8Array
    try {
      bytes = (this.remotes[0] as RemoteTier).encode(fullKey, entry)
    } catch (error) {
      this.reportError(fullKey, undefined, 'backfill', error)
      return
    }
    for (let i = 0; i < foundAt; i++) {
      void this.tryRemote(i, fullKey, 'backfill', (tier) => tier.set(fullKey, bytes, entry)).catch(
        () => undefined,
      )
    }
  }

  /** Encodes once, writes the selected tiers (remote first), then tells other processes. */
  async write(
    fullKey: string,
    entry: CacheEntry,
    tiers: TierSelection,
    writer?: Flight,
  ): Promise<void> {
    this.#mutations++
    // A flight writing its own result stays joinable until it ends.
    if (this.flights.get(fullKey) !== writer) this.flights.supersede(fullKey)
    if (tiers !== 'local' && this.remotes.length > 0) {
      const bytes = (this.remotes[0] as RemoteTier).encode(fullKey, entry)
      const writeRemotes = () =>
        Promise.all(
          this.remotes.map((_, i) =>
            this.tryWrite(i, fullKey, 'set', (tier) => tier.set(fullKey, bytes, entry)),
          ),
        ).then(() => undefined)
      if (this.writeBehind) await this.writeBehind.push(writeRemotes)
      else await writeRemotes()
    }
    if (tiers !== 'remote') this.local?.set(fullKey, entry, entry.staleUntil)
    else this.local?.delete(fullKey)
    this.stats.sets++
    await this.announce({ keys: [fullKey] })
  }

  /** Writes several encoded entries with one batch call per remote tier. */
  async writeMany(
    writes: readonly { fullKey: string; entry: CacheEntry; bytes: Uint8Array | undefined }[],
    tiers: TierSelection,
  ): Promise<void> {
    this.#mutations++
    for (const { fullKey } of writes) this.flights.supersede(fullKey)
    if (tiers !== 'local' && this.remotes.length > 0) {
      const batch: StoreWrite[] = writes.map(({ fullKey, entry, bytes }) => ({
        key: fullKey,
        value: bytes as Uint8Array,
        expiresAt: entry.staleUntil,
      }))
      const first = writes[0]?.fullKey
      const writeRemotes = () =>
        Promise.all(
          this.remotes.map((_, i) =>
            this.tryWrite(i, first, 'setMany', (tier) => tier.setMany(batch)),
          ),
        ).then(() => undefined)
      if (this.writeBehind) await this.writeBehind.push(writeRemotes)
      else await writeRemotes()
    }
    for (const { fullKey, entry } of writes) {
      if (tiers !== 'remote') this.local?.set(fullKey, entry, entry.staleUntil)
      else this.local?.delete(fullKey)
    }
    this.stats.sets += writes.length
    await this.announce({ keys: writes.map((write) => write.fullKey) })
  }

  /** Deletes keys from every tier; resolves how many the fullest tier held. */
  async remove(fullKeys: readonly string[]): Promise<number> {
    this.#mutations++
    let removed = 0
    for (const fullKey of fullKeys) {
      this.flights.supersede(fullKey)
      if (this.local?.delete(fullKey)) removed++
    }
    const counts = await Promise.all(
      this.remotes.map((_, i) =>
        this.tryRemote(i, fullKeys[0], fullKeys.length === 1 ? 'delete' : 'deleteMany', (tier) =>
          fullKeys.length === 1
            ? tier.store.delete(fullKeys[0] as string).then(Number)
            : tier.store.deleteMany(fullKeys),
        ),
      ),
    )
    // A load whose write was in flight may have refilled the local tier meanwhile.
    for (const fullKey of fullKeys) this.local?.delete(fullKey)
    this.stats.deletes += fullKeys.length
    await this.announce({ keys: fullKeys })
    return Math.max(removed, ...counts.map((count) => count ?? 0))
  }

  /** Removes every key starting with `prefix` from every tier, here and (by the bus) elsewhere. */
  async clear(prefix: string): Promise<void> {
    this.#mutations++
    this.flights.supersedePrefix(prefix)
    this.local?.clear(prefix)
    await Promise.all(
      this.remotes.map((_, i) =>
        this.tryWrite(i, undefined, 'clear', (tier) => tier.store.clear(prefix)),
      ),
    )
    this.local?.clear(prefix) // again: a load in flight may have refilled it meanwhile
    await this.announce({ prefix })
  }

  /** Publishes an invalidation on the bus, if any; a failure is counted, never thrown. */
  async announce(invalidation: Invalidation): Promise<void> {
    if (this.bus === undefined) return
    try {
      await this.bus.publish(invalidation)
    } catch (error) {
      this.reportError(invalidation.keys?.[0], 'bus', 'publish', error)
    }
  }

  /**
   * Runs a remote tier operation. A failure is counted and reported; in strict mode it
   * rejects, otherwise it resolves `undefined` so the other tiers can answer.
   */
  async tryRemote<R>(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<R>,
  ): Promise<R | undefined> {
    const tier = this.remotes[index] as RemoteTier
    try {
      return await traced(
        tierChannel,
        () => ({ cache: this.options.name, tier: tier.name, operation, key: fullKey }),
        () => tier.guard.run(operation, fullKey, () => call(tier)),
      )
    } catch (error) {
      ;(this.remoteStats[index] as TierStats).errors++
      this.reportError(fullKey, tier.name, operation, error)
      if (this.options.strict || ClosedError.isInstance(error))
        throw asStoreError(tier.name, error, fullKey)
      return undefined
    }
  }

  /**
   * Like {@link tryRemote} for writes: when a write fails in strict mode the local copy
   * is dropped too, so this process does not keep serving a value the shared tiers may
   * not hold.
   */
  async tryWrite(
    index: number,
    fullKey: string | undefined,
    operation: string,
    call: (tier: RemoteTier) => Promise<void>,
  ): Promise<void> {
    try {
      await this.tryRemote(index, fullKey, operation, call)
    } catch (error) {
      if (fullKey !== undefined) this.local?.delete(fullKey)
      throw error
    }
  }

  reportError(
    key: string | undefined,
    tier: string | undefined,
    operation: string,
    error: unknown,
  ): void {
    this.stats.errors++
    if (this.events.listening('error')) this.events.emit('error', { key, tier, operation, error })
  }

  /**
   * Claims the current period of a schedule with `add` on the lock tier (the deepest
   * tier with an atomic `add`), so one process per period refreshes. Without such a
   * tier, or when it fails, every process refreshes.
   */
  async claimPeriod(fullKey: string, period: number): Promise<boolean> {
    const index =
      this.options.lock?.tier ?? this.remotes.findLastIndex((tier) => tier.store.capabilities.add)
    if (index < 0) return true
    const now = this.clock()
    const slot = Math.floor(now / period)
    const claimKey = `${this.reservedPrefix}schedule:${fullKey}:${slot}`
    const claimed = await this.tryRemote(index, fullKey, 'schedule', (tier) =>
      tier.store.add(claimKey, new Uint8Array(1), (slot + 2) * period),
    ).catch(() => undefined)
    return claimed !== false
  }

  async close(): Promise<void> {
    for (const stop of this.background) stop()
    for (const controller of this.loads) controller.abort(new ClosedError(this.options.name))
    const failures: unknown[] = []
    await this.writeBehind?.flush()
    await this.bus?.close().catch((error) => failures.push(error))
    this.local?.close()
    const results = await Promise.allSettled(this.remotes.map((tier) => tier.store.close()))
    for (const result of results) if (result.status === 'rejected') failures.push(result.reason)
    if (failures.length > 0) throw failures[0]
  }

  async #judgeFound(
    entry: CacheEntry,
    tier: number,
    validate: ((entry: CacheEntry) => boolean) | undefined,
  ): Promise<Found | undefined> {
    const now = this.clock()
    if (now >= entry.staleUntil) return undefined
    if (entry.tags.length > 0 && this.tags.isStale(entry.tags, now)) {
      await this.tags
        .sync(entry.tags, now)
        .catch((error) => this.reportError(undefined, undefined, 'tags', error))
    }
    const freshUntil = this.freshUntil(entry)
    if (freshUntil === Number.NEGATIVE_INFINITY) return undefined
    if (validate !== undefined && !validate(entry)) return undefined
    return { entry, tier, freshUntil }
  }

  async #readTimestamps(keys: readonly string[]): Promise<number[]> {
    const perTier = await Promise.all(
      this.remotes.map((_, i) =>
        this.tryRemote(i, keys[0], 'tags', (tier) => tier.store.getMany(keys)),
      ),
    )
    return keys.map((_, k) => {
      let newest = Number.NEGATIVE_INFINITY
      for (const values of perTier) {
        const bytes = values?.[k]
        if (bytes?.byteLength === 8) {
          newest = Math.max(
            newest,
            new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true),
          )
        }
      }
      return newest
    })
  }

  async #writeTimestamp(key: string, at: number): Promise<void> {
    const bytes = new Uint8Array(8)
    new DataView(bytes.buffer).setFloat64(0, at, true)
    await Promise.all(
      this.remotes.map((_, i) =>
        this.tryRemote(i, key, 'tags', (tier) =>
          tier.store.set(key, bytes, Number.POSITIVE_INFINITY),
        ),
      ),
    )
  }

  /** Notes a change made outside {@link write}, {@link remove} and {@link clear} (e.g. `add`). */
  noteMutation(): void {
    this.#mutations++
  }

  #applyRemote(invalidation: Invalidation): void {
    this.#mutations++
    if (invalidation.keys) {
      for (const fullKey of invalidation.keys) {
        this.flights.supersede(fullKey)
        this.local?.delete(fullKey)
      }
    }
    if (invalidation.prefix !== undefined) {
      this.flights.supersedePrefix(invalidation.prefix)
      this.local?.clear(invalidation.prefix)
    }
    if (invalidation.tags) this.tags.apply(invalidation.tags)
  }

  /** After a bus outage, messages may have been lost: drop every local copy. */
  #resetLocal(): void {
    this.#mutations++
    this.local?.clear(this.options.keyPrefix)
    this.tags.markAllStale()
  }

  #decodeFailed(index: number, error: DecodeError): void {
    ;(this.remoteStats[index] as TierStats).errors++
    this.reportError(error.key, this.remoteStats[index]?.name, 'decode', error)
  }
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

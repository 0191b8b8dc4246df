import type { CacheEntry } from '../entry.js'
import { EnvelopeCodec } from '../envelope.js'
import { ClosedError, type DecodeError, TimeoutError } from '../errors.js'
import { type CacheEvents, Emitter } from '../events.js'
import type { LocalTier } from '../local-tier.js'
import { type CacheStats, createStats, readStoreStats, type TierStats } from '../stats.js'
import type { StoreStats } from '../store.js'
import { BusLink, type Invalidation } from './bus-link.js'
import { Epochs } from './epochs.js'
import { Flights } from './flights.js'
import { GraceBackoff } from './grace-backoff.js'
import { InternalKeys, scopeOf } from './keyspace.js'
import { DistributedLock } from './lock.js'
import { CacheLog } from './logging.js'
import {
  type GetOrSetOptions,
  type Policy,
  type ResolvedCacheOptions,
  resolvePolicy,
  validateGetOrSetOptions,
} from './options.js'
import { Reads } from './reads.js'
import { Recovery } from './recovery.js'
import { RemoteCalls } from './remote-calls.js'
import { RemoteTier } from './remote-tier.js'
import { SetupChecks } from './setup-check.js'
import { logCircuit, logRecovery } from './state-logs.js'
import { RemoteTagStorage } from './tag-storage.js'
import { TagRegistry } from './tags.js'
import { WriteBehindQueue } from './write-behind.js'
import { Writes } from './writes.js'

/** `close()` waits for each tier's and the bus' own `close()` at most the tier timeout, and at least this. */
const CLOSE_TIMEOUT_FLOOR_MS = 1_000
/** The wait when the tier timeout is off (`Infinity`). */
const CLOSE_TIMEOUT_UNBOUNDED_MS = 30_000

/**
 * Everything a cache and its namespaces share: tiers, counters, events, flights, tags,
 * bus, locks, and the read and write paths. It knows full keys and entries; the `Cache`
 * view on top of it knows caller keys, namespaces and the public API.
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
  readonly log: CacheLog
  readonly flights = new Flights()
  readonly epochs = new Epochs()
  /** Abort controllers of the loaders running now. */
  readonly loads = new Set<AbortController>()
  readonly graceBackoff = new GraceBackoff()
  readonly calls: RemoteCalls
  readonly recovery: Recovery
  /** The remote tiers' `checkSetup`, run once when the cache first uses tags. */
  readonly setup: SetupChecks
  readonly tags: TagRegistry
  readonly bus: BusLink | undefined
  readonly lock: DistributedLock | undefined
  readonly writeBehind: WriteBehindQueue | undefined
  readonly reads: Reads
  readonly writes: Writes
  /** The root path: every full key of this cache starts with it. */
  readonly root: string
  readonly internalKeys: InternalKeys
  /** Stops the schedules and readers running on this cache. */
  readonly background = new Set<() => void>()
  closing: Promise<void> | undefined
  /**
   * The run-time switch (`Cache.enable()`/`disable()`), shared by every namespace;
   * starts as the `enabled` option. While off, reads miss and writes do nothing, but
   * removals still reach every tier.
   */
  enabled: boolean
  /**
   * Per-call option objects already validated, with their policy. Callers that reuse
   * one options object (as `wrap` does) pay validation once; an options object is
   * therefore read once, and later mutations of it are not seen.
   */
  readonly #policies = new WeakMap<object, Policy>()

  constructor(options: ResolvedCacheOptions) {
    this.options = options
    this.log = new CacheLog(options.logger, options.name)
    this.local = options.local
    this.clock = options.clock
    this.enabled = options.enabled
    // The tier must judge expiry by the cache's time, or a fake clock would disagree with it.
    this.local?.adoptClock?.(options.clock)
    this.root = options.keyPrefix
    this.internalKeys = new InternalKeys(this.root)
    const codec = new EnvelopeCodec({
      serializer: options.serializer,
      compressThreshold: options.compressThreshold,
      maxValueBytes: options.maxValueBytes,
    })
    this.remotes = options.remotes.map(
      (store, index) =>
        new RemoteTier(
          store,
          codec,
          (error) => this.decodeFailed(index, error),
          options.tierGuard,
          options.policy.maxEntryLife,
        ),
    )
    this.stats = createStats([
      ...(options.local ? [options.local.name] : []),
      ...this.remotes.map((tier) => tier.name),
    ])
    this.localStats = options.local ? this.stats.tiers[0] : undefined
    this.remoteStats = this.stats.tiers.slice(options.local ? 1 : 0)
    this.calls = new RemoteCalls(this.remotes, this.remoteStats, {
      cacheName: options.name,
      strict: options.strict,
      reportError: (key, tier, operation, error) => this.reportError(key, tier, operation, error),
    })
    this.writes = new Writes(this)
    this.recovery = new Recovery({
      tierNames: this.remotes.map((tier) => tier.name),
      clock: this.clock,
      repair: (tier, target, isPrefix) => this.writes.repair(tier, target, isPrefix),
      emit: (event) => {
        logRecovery(this.log, event, this.recovery)
        if (this.events.listening('recovery')) this.events.emit('recovery', event)
      },
    })
    this.calls.useRecovery(this.recovery)
    this.remotes.forEach((tier, index) => {
      tier.guard.onStateChange((state, previous) => {
        if (state === 'closed') this.recovery.retryNow(index)
        logCircuit(this.log, tier.name, state, previous)
        if (this.events.listening('circuit'))
          this.events.emit('circuit', { tier: tier.name, state, previous })
      })
    })
    this.reads = new Reads(this)
    this.setup = new SetupChecks(this.remotes, this.clock, {
      warning: (tier, { code, message }) => {
        this.log.log('warn', `setup:${tier}:${code}`, `${tier}: ${message}`, { tier, code })
        if (this.events.listening('setup')) this.events.emit('setup', { tier, code, message })
      },
      failed: (tier, error) =>
        this.log.log(
          'debug',
          `setup:${tier}`,
          `${tier}: could not check its setup: ${(error as Error)?.message ?? String(error)}`,
          { tier },
        ),
    })
    this.tags = new TagRegistry(
      this.remotes.length === 0 ? undefined : new RemoteTagStorage(this),
      options.tagSyncInterval,
    )
    // Invalidations made before this cache existed are not in its memory: a persistent
    // tier's older tagged entries are treated as invalidated until their tags are known.
    if (options.local?.persistent === true) this.tags.assumeInvalidatedUntil(this.clock())
    const lockTier = options.lock?.tier
    this.lock =
      options.lock &&
      new DistributedLock(
        (operation, key, call) => this.calls.call(lockTier as number, key, operation, call),
        options.lock.timeout,
        options.lock.retryInterval,
      )
    this.writeBehind =
      options.writeBehind &&
      new WriteBehindQueue(options.writeBehind.maxQueue, (error) =>
        this.reportError(undefined, undefined, 'write-behind', error),
      )
    const keyBase = `${this.root}#`
    options.local?.addEvictListener?.((fullKey, _, reason) => {
      if (this.events.listening('evict') && fullKey.startsWith(keyBase)) {
        this.events.emit('evict', { key: fullKey.slice(keyBase.length), reason })
      }
    })
    const busName = options.bus && `bus ${options.bus.name}`
    this.bus =
      options.bus &&
      new BusLink(
        options.bus,
        {
          error: (operation, error) => this.reportError(undefined, busName, operation, error),
          circuit: (state, previous) => {
            logCircuit(this.log, busName as string, state, previous)
            if (this.events.listening('circuit'))
              this.events.emit('circuit', { tier: busName as string, state, previous })
          },
        },
        options.tierGuard,
      )
    this.bus
      ?.subscribe({
        apply: (message) => this.#applyRemote(message),
        reset: () => this.#resetLocal(),
      })
      .catch((error) => this.reportError(undefined, 'bus', 'subscribe', error))
  }

  /** Turns caching on or off for the whole cache (see {@link enabled}); logs the change. */
  switchTo(enabled: boolean): void {
    if (this.enabled === enabled) return
    this.enabled = enabled
    this.log.log(
      enabled ? 'info' : 'warn',
      enabled ? 'switch:on' : 'switch:off',
      enabled
        ? 'enabled: reads and writes use the tiers again'
        : 'disabled: reads miss, loaders run every time, writes are skipped (removals still apply)',
    )
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

  /** The scope the tags of `fullKey`'s entry live in. */
  tagScope(fullKey: string): string {
    return this.options.tagScope === 'cache' ? '' : scopeOf(fullKey, this.root.length)
  }

  /**
   * When a held entry stops being fresh, after its tags: a number at or before `now`
   * means stale, `-Infinity` means dead.
   */
  freshUntil(entry: CacheEntry, fullKey: string): number {
    return entry.tags.length === 0
      ? entry.freshUntil
      : this.tags.freshUntil(entry, this.tagScope(fullKey))
  }

  /** Re-reads an entry's tag timestamps in the background when they may be out of date. */
  syncTagsLater(entry: CacheEntry, fullKey: string, now: number): void {
    const scope = this.tagScope(fullKey)
    if (!this.tags.isStale(entry.tags, scope, now)) return
    this.tags
      .sync(entry.tags, scope, now)
      .catch((error) => this.reportError(fullKey, undefined, 'tags', error))
  }

  /** Re-reads an entry's tag timestamps when they may be out of date, and waits. */
  async syncTags(entry: CacheEntry, fullKey: string, now: number): Promise<void> {
    const scope = this.tagScope(fullKey)
    if (!this.tags.isStale(entry.tags, scope, now)) return
    await this.tags
      .sync(entry.tags, scope, now)
      .catch((error) => this.reportError(fullKey, undefined, 'tags', error))
  }

  /**
   * Publishes an invalidation on the bus, if any, through the bus' guard; a failure is
   * counted and the invalidation re-announced later, never thrown.
   */
  async announce(invalidation: Invalidation): Promise<void> {
    await this.bus?.publish(invalidation)
  }

  reportError(
    key: string | undefined,
    tier: string | undefined,
    operation: string,
    error: unknown,
  ): void {
    this.stats.errors++
    if (this.log.enabled) {
      const tierFailure = tier !== undefined && operation !== 'decode'
      this.log.log(
        tierFailure ? 'error' : 'warn',
        `error:${tier}:${operation}`,
        `${tier ?? 'cache'}: ${operation} failed: ${(error as Error)?.message ?? String(error)}`,
        { tier, operation, key },
      )
    }
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
    const slot = Math.floor(this.clock() / period)
    const claimKey = this.internalKeys.scheduleClaim(fullKey, slot)
    const claimed = await this.calls
      .call(index, fullKey, 'schedule', (tier) =>
        tier.store.add(claimKey, new Uint8Array(1), (slot + 2) * period),
      )
      .catch(() => undefined)
    return claimed !== false
  }

  async close(): Promise<void> {
    for (const stop of this.background) stop()
    for (const controller of this.loads) controller.abort(new ClosedError(this.options.name))
    const failures: unknown[] = []
    await this.writeBehind?.flush()
    this.recovery.close()
    const tierTimeout = this.options.tierGuard.timeout ?? 0
    const bound = Number.isFinite(tierTimeout)
      ? Math.max(tierTimeout, CLOSE_TIMEOUT_FLOOR_MS)
      : CLOSE_TIMEOUT_UNBOUNDED_MS
    const closeBounded = (name: string, close: () => Promise<void>) =>
      withTimeout(close(), bound, `${name}: close() did not settle within ${bound} ms`).catch(
        (error) => failures.push(error),
      )
    if (this.bus) await closeBounded('bus', () => (this.bus as BusLink).close())
    this.local?.close()
    await Promise.all(this.remotes.map((tier) => closeBounded(tier.name, () => tier.store.close())))
    if (failures.length > 0) throw failures[0]
  }

  #applyRemote(invalidation: Invalidation): void {
    if (invalidation.keys) {
      for (const fullKey of invalidation.keys) {
        this.epochs.changed(fullKey)
        this.flights.supersede(fullKey)
        this.local?.delete(fullKey)
      }
    }
    if (invalidation.prefix !== undefined) {
      this.epochs.changedPrefix(invalidation.prefix)
      this.flights.supersedePrefix(invalidation.prefix)
      this.local?.clear(invalidation.prefix)
    }
    if (invalidation.tags) this.tags.apply(invalidation.tags)
  }

  /** After a bus outage, messages may have been lost: drop every local copy. */
  #resetLocal(): void {
    this.log.log('warn', 'bus:reset', 'bus: messages may have been lost; dropped the local tier')
    this.epochs.changedAll()
    this.local?.clear(this.root)
    this.tags.markAllStale()
  }

  /** Each tier's own store counters, aligned with `stats.tiers` (none for the local tier). */
  storeStats(): (StoreStats | undefined)[] {
    const remote = this.options.remotes.map(readStoreStats)
    return this.local ? [undefined, ...remote] : remote
  }

  /** Counts and reports an undecodable entry or record read from remote tier `index`. */
  decodeFailed(index: number, error: DecodeError): void {
    ;(this.remoteStats[index] as TierStats).errors++
    this.reportError(error.key, this.remoteStats[index]?.name, 'decode', error)
  }
}

function withTimeout(promise: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message, ms)), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

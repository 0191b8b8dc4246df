import type { CacheBus } from '../bus.js'
import { type Duration, toMilliseconds } from '../duration.js'
import type { CacheEntry } from '../entry.js'
import { InvalidOptionError } from '../errors.js'
import type { LocalTier } from '../local-tier.js'
import type { TierGuardOptions } from '../resilience/options.js'
import type { Serializer } from '../serializer.js'
import { structuredSerializer } from '../serializers/structured.js'
import type { RemoteStore } from '../store.js'
import { resolveReadCoalescing } from './read-coalescer.js'
import type { RemoteTierOptions } from './remote-tier.js'

/** A tier of a cache: the synchronous local tier, or a remote store. */
export type Tier = LocalTier<CacheEntry> | RemoteStore

/** Which tiers a call reads or writes. */
export type TierSelection = 'all' | 'local' | 'remote'

/**
 * The freshness policy: how long entries are fresh and what happens after. Set it on
 * the cache; override any part per call.
 */
export interface FreshnessOptions {
  /** How long an entry is fresh. Default `'5m'`. `Infinity` keeps entries until evicted. */
  readonly ttl?: Duration
  /**
   * After `ttl`, `getOrSet` keeps serving the stale value for this long while one
   * background loader call refreshes it. Default `0` (off).
   */
  readonly staleWhileRevalidate?: Duration
  /**
   * After `ttl`, the stale value is kept this long as a fallback, served when the loader
   * throws or times out or the tiers fail. Default `0` (off).
   */
  readonly grace?: Duration
  /** After a grace fallback, the loader is not retried for this long. Default `'10s'`. */
  readonly graceBackoff?: Duration
  /**
   * When a stale value exists and the loader takes longer than this, return the stale
   * value; the loader goes on in the background and its result is cached. Default: off.
   */
  readonly softTimeout?: Duration
  /**
   * Give up on the loader after this long: its `signal` is aborted and the call rejects
   * with `TimeoutError` (or serves a grace value). Default: off.
   */
  readonly hardTimeout?: Duration
  /**
   * Probabilistic early refresh (XFetch) of hot keys: a fresh hit triggers one background
   * refresh with a probability that rises as expiry nears, scaled by the loader's
   * measured duration and `beta` (1 is the paper's optimum; higher refreshes earlier).
   * `true` means `{ beta: 1 }`. Default: off.
   */
  readonly earlyRefresh?: boolean | { readonly beta?: number }
}

/** Options of {@link createCache}. Per-call options override the freshness ones. */
export interface CacheOptions extends FreshnessOptions {
  /**
   * The tiers, fastest first. At most one local tier (e.g. `memory()`), and it must come
   * first; any number of remote stores follow. The cache owns its tiers: `close()`
   * closes them.
   */
  readonly tiers: readonly Tier[]
  /** Prepended to every key, followed by `:`; isolates caches sharing a store. Default none. */
  readonly prefix?: string
  /** Serializer for remote tiers. Default {@link structuredSerializer} (see docs/serialization.md). */
  readonly serializer?: Serializer
  /** Remote payloads of at least this many bytes are deflated. Default: never. */
  readonly compressThreshold?: number
  /** Throw when a tier fails, instead of counting the failure and using the other tiers. */
  readonly strict?: boolean
  /**
   * How remote tiers are written. `'write-through'` (default) awaits every tier;
   * `'write-behind'` writes the local tier at once and the remote tiers from a bounded
   * queue, flushed by `close()`.
   */
  readonly writePolicy?: 'write-through' | 'write-behind' | WriteBehindOptions
  /**
   * Single-flight across processes: the first `getOrSet` to miss takes a lock with `add`
   * on a shared tier; the others wait for its value instead of calling their loaders.
   * `true` uses the deepest tier with an atomic `add`. Default: off.
   */
  readonly distributedLock?: boolean | DistributedLockOptions
  /**
   * Longest time one remote tier operation may take before it counts as a failure
   * (`TimeoutError`). A backstop above the stores' own timeouts. Default `'5s'`.
   */
  readonly tierTimeout?: Duration
  /**
   * Per remote tier: after `failureThreshold` consecutive failures the tier is skipped
   * (fails fast) for `cooldown`, then one probe call decides. `false` disables it.
   * Default `{ failureThreshold: 5, cooldown: '5s' }`.
   */
  readonly circuitBreaker?:
    | false
    | { readonly failureThreshold?: number; readonly cooldown?: Duration }
  /**
   * Coalesce concurrent single-key reads of a remote tier: the reads (`get`, `has`,
   * `getOrSet`'s remote step, lock waits' re-reads) issued to one tier in the same tick
   * are sent as one `getMany` of their distinct keys, so a hundred concurrent `get`s cost
   * one round trip instead of a hundred. A lone read still goes out as a plain `get`, a
   * failure or timeout of a batch is each member's, and a batch never exceeds the
   * store's `capabilities.maxBatchKeys`. Only stores with native batches
   * (`capabilities.batch`) coalesce. `{ windowMicros }` also waits up to that many
   * microseconds (at most 1,000) for more reads to join a batch. Default `true`.
   *
   * @example
   * ```ts
   * import { createCache, memoryStore } from '@stack/core'
   *
   * const shared = memoryStore()
   * const batched = createCache({ tiers: [shared] }) // concurrent reads share one getMany
   * const wider = createCache({ tiers: [shared], coalesceReads: { windowMicros: 200 } })
   * const oneByOne = createCache({ tiers: [shared], coalesceReads: false })
   * ```
   */
  readonly coalesceReads?: boolean | { readonly windowMicros?: number }
  /** Invalidation bus shared by every process using the same remote tiers. Default: none. */
  readonly bus?: CacheBus
  /**
   * Without a bus, how long this process trusts what it knows of a tag's invalidation
   * before re-reading it from the remote tiers. Default `'1s'`; with a bus, `'1m'`.
   */
  readonly tagSyncInterval?: Duration
  /**
   * `false` turns caching off: loaders are called every time and nothing is stored.
   * Default: on, unless the environment variable `STACK_CACHE_DISABLED` is `1` or `true`.
   */
  readonly enabled?: boolean
  /** Source of the current time in epoch ms. Default `Date.now`. */
  readonly clock?: () => number
  /** Name used in stats and errors. Default `'cache'`. */
  readonly name?: string
}

/** Options of the write-behind policy. */
export interface WriteBehindOptions {
  readonly mode: 'write-behind'
  /** Most writes waiting for the remote tiers; a full queue makes `set` wait. Default 10,000. */
  readonly maxQueue?: number
}

/** Options of the distributed lock. */
export interface DistributedLockOptions {
  /** Index among the remote tiers of the tier holding locks. Default: the deepest with an atomic `add`. */
  readonly tier?: number
  /** A lock outlives a crashed holder by at most this. Default `'10s'`. */
  readonly timeout?: Duration
  /** How often waiters re-read the value. Default `'50ms'`. */
  readonly retryInterval?: Duration
}

/** Options of a single write. */
export interface SetOptions {
  /** Fresh lifetime of this entry; overrides the cache's `ttl`. */
  readonly ttl?: Duration
  /** Stale-while-revalidate window stored with the entry; overrides the cache's. */
  readonly staleWhileRevalidate?: Duration
  /** Grace window stored with the entry; overrides the cache's. */
  readonly grace?: Duration
  /** Tags stored with the entry, for `invalidateTags` and `expireTags`. */
  readonly tags?: readonly string[]
  /** Write only the local tier, or only the remote ones. Default `'all'`. */
  readonly tiers?: TierSelection
}

/** Options of a read. */
export interface GetOptions {
  /** Read only the local tier, or only the remote ones. Default `'all'`. */
  readonly tiers?: TierSelection
  /** Reject entries this returns `false` for, as if they were absent (e.g. an old version). */
  readonly validate?: (entry: CacheEntry) => boolean
}

/** Options of {@link Cache.getOrSet}: freshness, write and read options together. */
export interface GetOrSetOptions<T = unknown> extends FreshnessOptions {
  readonly tags?: readonly string[]
  readonly tiers?: TierSelection
  readonly validate?: (entry: CacheEntry) => boolean
  /** Ignore cached values and call the loader (concurrent callers still share one call). */
  readonly forceFresh?: boolean
  /** Cache the loader's result only when this returns `true`. */
  readonly cacheIf?: (value: T) => boolean
}

/** What a loader receives. */
export interface LoaderContext {
  /** The key being loaded, without the cache prefix. */
  readonly key: string
  /** Aborted at the hard timeout, or when the cache closes. */
  readonly signal: AbortSignal
  /** The stale value the cache holds for this key, if any (e.g. for conditional requests). */
  readonly stale: unknown
  /** Overrides the fresh lifetime of the value being loaded. */
  setTtl(ttl: Duration): void
  /** Replaces the tags the value will be stored with. */
  setTags(tags: readonly string[]): void
  /** Returns the value to the callers without caching it. */
  skipCache(): void
}

/** A freshness policy in milliseconds, defaults applied. */
export interface Policy {
  readonly ttl: number
  readonly staleWhileRevalidate: number
  readonly grace: number
  readonly graceBackoff: number
  readonly softTimeout: number
  readonly hardTimeout: number
  /** `0` when early refresh is off. */
  readonly beta: number
}

/** The validated, normalised form of {@link CacheOptions}. */
export interface ResolvedCacheOptions {
  readonly local: LocalTier<CacheEntry> | undefined
  readonly remotes: readonly RemoteStore[]
  readonly keyPrefix: string
  readonly policy: Policy
  readonly serializer: Serializer
  readonly compressThreshold: number
  readonly strict: boolean
  readonly writeBehind: { readonly maxQueue: number } | undefined
  readonly lock:
    | { readonly tier: number; readonly timeout: number; readonly retryInterval: number }
    | undefined
  readonly bus: CacheBus | undefined
  /** Each remote tier's guard options, and how it coalesces reads. */
  readonly tierGuard: RemoteTierOptions
  readonly tagSyncInterval: number
  readonly enabled: boolean
  readonly clock: () => number
  readonly name: string
}

const FRESHNESS_OPTION_NAMES = [
  'ttl',
  'staleWhileRevalidate',
  'grace',
  'graceBackoff',
  'softTimeout',
  'hardTimeout',
  'earlyRefresh',
] as const
const CACHE_OPTION_NAMES = new Set<string>([
  ...FRESHNESS_OPTION_NAMES,
  'tiers',
  'prefix',
  'serializer',
  'compressThreshold',
  'strict',
  'writePolicy',
  'distributedLock',
  'bus',
  'tierTimeout',
  'circuitBreaker',
  'coalesceReads',
  'tagSyncInterval',
  'enabled',
  'clock',
  'name',
])
const SET_OPTION_NAMES = new Set(['ttl', 'staleWhileRevalidate', 'grace', 'tags', 'tiers'])
const GET_OPTION_NAMES = new Set(['tiers', 'validate'])
const GET_OR_SET_OPTION_NAMES = new Set<string>([
  ...FRESHNESS_OPTION_NAMES,
  'tags',
  'tiers',
  'validate',
  'forceFresh',
  'cacheIf',
])

const DEFAULT_POLICY: Policy = {
  ttl: 300_000,
  staleWhileRevalidate: 0,
  grace: 0,
  graceBackoff: 10_000,
  softTimeout: Number.POSITIVE_INFINITY,
  hardTimeout: Number.POSITIVE_INFINITY,
  beta: 0,
}

export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'createCache expects an options object')
  }
  rejectUnknown(options, CACHE_OPTION_NAMES, 'createCache')
  const { local, remotes } = splitTiers(options.tiers)
  const prefix = options.prefix ?? ''
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `prefix must be a string, got ${typeof prefix}`)
  }
  const serializer = options.serializer ?? structuredSerializer
  if (
    typeof serializer?.serialize !== 'function' ||
    typeof serializer.deserialize !== 'function' ||
    !Number.isInteger(serializer.id) ||
    serializer.id < 1 ||
    serializer.id > 15
  ) {
    throw new InvalidOptionError(
      'serializer',
      'serializer must have serialize, deserialize and an integer id from 1 to 15',
    )
  }
  const compressThreshold = options.compressThreshold ?? Number.POSITIVE_INFINITY
  if (
    typeof compressThreshold !== 'number' ||
    Number.isNaN(compressThreshold) ||
    compressThreshold < 0
  ) {
    throw new InvalidOptionError('compressThreshold', `compressThreshold must be a byte count >= 0`)
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new InvalidOptionError('clock', 'clock must be a function returning epoch ms')
  }
  if (options.bus !== undefined && !isBus(options.bus)) {
    throw new InvalidOptionError('bus', 'bus must have publish, subscribe and close')
  }
  return {
    local,
    remotes,
    keyPrefix: prefix === '' ? '' : `${prefix}:`,
    policy: resolvePolicy(DEFAULT_POLICY, options),
    serializer,
    compressThreshold,
    strict: options.strict === true,
    writeBehind: resolveWriteBehind(options.writePolicy),
    lock: resolveLock(options.distributedLock, remotes),
    bus: options.bus,
    tierGuard: {
      ...resolveTierGuard(options),
      coalesceReads: resolveReadCoalescing(options.coalesceReads),
    },
    tagSyncInterval: toMilliseconds(
      options.tagSyncInterval ?? (options.bus ? '1m' : '1s'),
      'tagSyncInterval',
    ),
    enabled: resolveEnabled(options.enabled),
    clock: options.clock ?? Date.now,
    name: options.name ?? 'cache',
  }
}

/** Applies per-call freshness overrides to a base policy. */
export function resolvePolicy(base: Policy, overrides: FreshnessOptions): Policy {
  const ms = (name: Exclude<keyof FreshnessOptions, 'earlyRefresh'>): number => {
    const value = overrides[name]
    return value === undefined ? base[name] : toMilliseconds(value, name)
  }
  return {
    ttl: ms('ttl'),
    staleWhileRevalidate: ms('staleWhileRevalidate'),
    grace: ms('grace'),
    graceBackoff: ms('graceBackoff'),
    softTimeout: ms('softTimeout'),
    hardTimeout: ms('hardTimeout'),
    beta: overrides.earlyRefresh === undefined ? base.beta : resolveBeta(overrides.earlyRefresh),
  }
}

function resolveBeta(earlyRefresh: FreshnessOptions['earlyRefresh']): number {
  if (earlyRefresh === undefined || earlyRefresh === false) return 0
  if (earlyRefresh === true) return 1
  const beta = earlyRefresh.beta ?? 1
  if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) {
    throw new InvalidOptionError(
      'earlyRefresh.beta',
      `earlyRefresh.beta must be a number > 0, got ${beta}`,
    )
  }
  return beta
}

function resolveWriteBehind(
  policy: CacheOptions['writePolicy'],
): ResolvedCacheOptions['writeBehind'] {
  if (policy === undefined || policy === 'write-through') return undefined
  if (policy === 'write-behind') return { maxQueue: 10_000 }
  if (typeof policy === 'object' && policy?.mode === 'write-behind') {
    const maxQueue = policy.maxQueue ?? 10_000
    if (!Number.isInteger(maxQueue) || maxQueue < 1) {
      throw new InvalidOptionError(
        'writePolicy.maxQueue',
        'writePolicy.maxQueue must be a positive integer',
      )
    }
    return { maxQueue }
  }
  throw new InvalidOptionError(
    'writePolicy',
    `writePolicy must be 'write-through', 'write-behind' or { mode: 'write-behind', maxQueue }`,
  )
}

function resolveLock(
  lock: CacheOptions['distributedLock'],
  remotes: readonly RemoteStore[],
): ResolvedCacheOptions['lock'] {
  if (lock === undefined || lock === false) return undefined
  const options = lock === true ? {} : lock
  let tier = options.tier
  if (tier === undefined) {
    tier = remotes.findLastIndex((store) => store.capabilities.add)
    if (tier < 0) {
      throw new InvalidOptionError(
        'distributedLock',
        'distributedLock needs a remote tier with an atomic add (capabilities.add)',
      )
    }
  } else if (!Number.isInteger(tier) || remotes[tier] === undefined) {
    throw new InvalidOptionError(
      'distributedLock.tier',
      `distributedLock.tier ${tier} is not a remote tier index`,
    )
  }
  return {
    tier,
    timeout: toMilliseconds(options.timeout ?? '10s', 'distributedLock.timeout'),
    retryInterval: toMilliseconds(options.retryInterval ?? '50ms', 'distributedLock.retryInterval'),
  }
}

function resolveTierGuard(options: CacheOptions): TierGuardOptions {
  const timeout = toMilliseconds(options.tierTimeout ?? '5s', 'tierTimeout')
  const breaker = options.circuitBreaker
  if (breaker === false) return { timeout, breaker: false }
  if (breaker !== undefined && (typeof breaker !== 'object' || breaker === null)) {
    throw new InvalidOptionError(
      'circuitBreaker',
      'circuitBreaker must be false or { failureThreshold, cooldown }',
    )
  }
  return {
    timeout,
    breaker: {
      ...(breaker?.failureThreshold !== undefined && {
        failureThreshold: breaker.failureThreshold,
      }),
      cooldown: toMilliseconds(breaker?.cooldown ?? '5s', 'circuitBreaker.cooldown'),
    },
    ...(options.clock && { clock: options.clock }),
  }
}

function resolveEnabled(enabled: boolean | undefined): boolean {
  if (enabled !== undefined) {
    if (typeof enabled !== 'boolean')
      throw new InvalidOptionError('enabled', 'enabled must be a boolean')
    return enabled
  }
  const disabled = process.env.STACK_CACHE_DISABLED
  return !(disabled === '1' || disabled === 'true')
}

function splitTiers(tiers: readonly Tier[] | undefined): {
  local: LocalTier<CacheEntry> | undefined
  remotes: RemoteStore[]
} {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    throw new InvalidOptionError(
      'tiers',
      'tiers must be a non-empty array, e.g. [memory()] or [memory(), redisStore(...)]',
    )
  }
  let local: LocalTier<CacheEntry> | undefined
  const remotes: RemoteStore[] = []
  tiers.forEach((tier, index) => {
    if ((tier as Partial<LocalTier>)?.kind === 'local') {
      if (index !== 0) {
        throw new InvalidOptionError(
          'tiers',
          `the local tier must be tiers[0], found at tiers[${index}]`,
        )
      }
      local = tier as LocalTier<CacheEntry>
    } else if (isRemoteStore(tier)) {
      remotes.push(tier)
    } else {
      throw new InvalidOptionError('tiers', `tiers[${index}] is neither a local tier nor a store`)
    }
  })
  return { local, remotes }
}

function isRemoteStore(tier: unknown): tier is RemoteStore {
  const store = tier as Partial<RemoteStore> | null
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof store.get === 'function' &&
    typeof store.set === 'function' &&
    typeof store.delete === 'function' &&
    typeof store.clear === 'function' &&
    typeof store.close === 'function' &&
    typeof store.capabilities === 'object'
  )
}

function isBus(bus: unknown): bus is CacheBus {
  const candidate = bus as Partial<CacheBus> | null
  return (
    typeof candidate?.publish === 'function' &&
    typeof candidate.subscribe === 'function' &&
    typeof candidate.close === 'function'
  )
}

export function validateSetOptions(options: SetOptions, method: string): void {
  rejectUnknown(options, SET_OPTION_NAMES, method)
  validateTags(options.tags)
  validateTiers(options.tiers)
}

export function validateGetOptions(options: GetOptions, method: string): void {
  rejectUnknown(options, GET_OPTION_NAMES, method)
  validateTiers(options.tiers)
  validateFunction(options.validate, 'validate')
}

export function validateGetOrSetOptions(options: GetOrSetOptions<never>): void {
  rejectUnknown(options, GET_OR_SET_OPTION_NAMES, 'getOrSet')
  validateTags(options.tags)
  validateTiers(options.tiers)
  validateFunction(options.validate, 'validate')
  validateFunction(options.cacheIf, 'cacheIf')
}

export function validateTags(tags: readonly string[] | undefined): void {
  if (tags === undefined) return
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '')) {
    throw new InvalidOptionError('tags', 'tags must be an array of non-empty strings')
  }
}

function validateTiers(tiers: TierSelection | undefined): void {
  if (tiers !== undefined && tiers !== 'all' && tiers !== 'local' && tiers !== 'remote') {
    throw new InvalidOptionError(
      'tiers',
      `tiers must be 'all', 'local' or 'remote', got ${String(tiers)}`,
    )
  }
}

function validateFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(name, `${name} must be a function`)
  }
}

function rejectUnknown(options: object, known: ReadonlySet<string>, method: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `${method} options must be an object`)
  }
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw new InvalidOptionError(
        name,
        `unknown option "${name}" for ${method}; known options: ${[...known].join(', ')}`,
      )
    }
  }
}

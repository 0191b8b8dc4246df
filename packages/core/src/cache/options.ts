import type { CacheBus } from '../bus.js'
import type { Duration } from '../duration.js'
import type { CacheEntry } from '../entry.js'
import type { LocalTier } from '../local-tier.js'
import type { Serializer } from '../serializer.js'
import { structuredSerializer } from '../serializers/structured.js'
import type { RemoteStore } from '../store.js'
import type { CacheLogger } from './logging.js'
import type { RemoteTierOptions } from './remote-tier.js'

/**
 * A tier of a cache: the synchronous local tier, or a remote store, given as it is or
 * with settings of its own ({@link TierSettings}).
 */
export type Tier = LocalTier<CacheEntry> | RemoteStore | TierSettings

/**
 * A tier with settings of its own, in the `tiers` list of {@link CacheOptions}.
 *
 * @example
 * ```ts
 * import { createCache, memory, memoryStore } from '@stack/core'
 *
 * const cache = createCache({
 *   ttl: '1h',
 *   tiers: [memory(), { store: memoryStore(), maxTtl: '5m' }],
 * })
 * ```
 */
export interface TierSettings {
  /** The local tier or remote store. */
  readonly store: LocalTier<CacheEntry> | RemoteStore
  /**
   * Longest time an entry lives in this tier, from when it is written there (by a
   * write, a backfill, write-behind or a loader's result): its copy's `staleUntil` (the
   * tier's physical expiry) is clipped to now + `maxTtl`, and its `freshUntil` to no
   * later. The other tiers keep the entry's own lifetime. Default: no cap.
   */
  readonly maxTtl?: Duration
}

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
   * closes them. Default: `[memory()]`, one memory tier with its own defaults (10,000
   * entries, `tinylfu` eviction, no byte bound, no clone).
   */
  readonly tiers?: readonly Tier[]
  /** Prepended to every key, followed by `:`; isolates caches sharing a store. Default none. */
  readonly prefix?: string
  /** Serializer for remote tiers. Default {@link structuredSerializer} (see docs/serialization.md). */
  readonly serializer?: Serializer
  /** Remote payloads of at least this many bytes are deflated. Default: never. */
  readonly compressThreshold?: number
  /**
   * Largest serialized value a remote tier gets, in bytes: a larger one fails the write
   * with `ValueTooLargeError`, and reading an entry that inflates past it is a counted
   * decode error and a miss (a compressed bomb costs at most this). Default 16 MiB.
   */
  readonly maxValueBytes?: number
  /**
   * On a cache without remote tiers, serialize each written value once (with
   * `serializer`) and report values a remote tier could not hold (`error` event with
   * operation `serializable`, and the logger; strict mode rejects the write), so that a
   * class instance cached in memory in development does not first fail in production
   * when Redis is added. Costs one serialization per write, never per hit. Default: on
   * unless `NODE_ENV` is `production`.
   */
  readonly checkSerializable?: boolean
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
   * are coalesced: the first goes out at once as a plain `get` (a read without
   * concurrency waits for nothing), the others as one `getMany` of their distinct keys,
   * so a hundred concurrent `get`s cost two pipelined calls instead of a hundred. A
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
   * Longest life of a tagged entry, from its `createdAt` to its `staleUntil`: a tagged
   * entry written with a longer `ttl` plus stale window (per call, or by
   * `ctx.setTtl`) is cut to it. Tag timestamps are stored in the remote tiers with an
   * expiry this far (plus a minute for clock skew) past the change they record, so they
   * outlive every entry they can invalidate and do not pile up forever. Untagged entries
   * are not affected. Use the same value in every process sharing the tiers. Default:
   * the cache's own entry life (`ttl` plus the longer of `staleWhileRevalidate` and
   * `grace`) or one day, whichever is longer; it may not be shorter than the cache's own
   * entry life. `Infinity` keeps tag timestamps forever.
   *
   * @example
   * ```ts
   * import { createCache, memory } from '@stack/core'
   *
   * // Tagged entries live at most a week; tag timestamps are dropped a week after the change.
   * const cache = createCache({ tiers: [memory()], ttl: '1h', maxEntryLife: '7d' })
   * ```
   */
  readonly maxEntryLife?: Duration
  /**
   * On remote tiers with conditional writes (`capabilities.conditionalWrite`), how long a
   * delete leaves a tombstone that refuses older writes of the key: a write from another
   * process that began before the delete and lands within this window is refused. Keep it
   * above the longest time a write may take to land (your tiers' timeouts and loaders'
   * durations are the bound in practice). `0` deletes without a tombstone. Default `'1m'`.
   *
   * @example
   * ```ts
   * import { createCache, memory, memoryStore } from '@stack/core'
   *
   * const cache = createCache({ tiers: [memory(), memoryStore()], tombstoneTtl: '5m' })
   * ```
   */
  readonly tombstoneTtl?: Duration
  /**
   * The initial state of the run-time switch ({@link Cache.enable}/{@link Cache.disable}).
   * `false` starts the cache off: reads miss, loaders are called every time and nothing
   * is stored, while removals (delete, clear, tag invalidation) still reach every tier.
   * Default: on, unless the environment variable `STACK_CACHE_DISABLED` is `1` or `true`.
   */
  readonly enabled?: boolean
  /** Source of the current time in epoch ms. Default `Date.now`. */
  readonly clock?: () => number
  /** Name used in stats and errors. Default `'cache'`. */
  readonly name?: string
  /**
   * Where tags live. `'namespace'` (default): a tag belongs to the namespace that wrote
   * the entry, so `tenantA.invalidateTags(['user:1'])` never touches `tenantB`'s
   * entries. `'cache'`: tags are shared by every namespace of the cache.
   */
  readonly tagScope?: 'namespace' | 'cache'
  /**
   * Where to log state changes and failures (circuits opening and closing, the bus
   * losing messages, keys fenced and recovered, failing tiers), rate-limited, never one
   * line per request. `console` and pino loggers fit. Default: none.
   */
  readonly logger?: CacheLogger
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
  /** The cache's `maxEntryLife`: the longest life of a tagged entry (never overridden per call). */
  readonly maxEntryLife: number
}

/** The validated, normalised form of {@link CacheOptions}. */
export interface ResolvedCacheOptions {
  readonly local: LocalTier<CacheEntry> | undefined
  readonly remotes: readonly RemoteStore[]
  /** Each tier's `maxTtl` in ms (`Infinity`: none): the local tier's, and each remote's. */
  readonly tierCaps: { readonly local: number; readonly remotes: readonly number[] }
  readonly keyPrefix: string
  readonly policy: Policy
  readonly serializer: Serializer
  readonly compressThreshold: number
  readonly maxValueBytes: number
  readonly checkSerializable: boolean
  readonly strict: boolean
  readonly writeBehind: { readonly maxQueue: number } | undefined
  readonly lock:
    | { readonly tier: number; readonly timeout: number; readonly retryInterval: number }
    | undefined
  readonly bus: CacheBus | undefined
  /** Each remote tier's guard options, and how it coalesces reads. */
  readonly tierGuard: RemoteTierOptions
  readonly tagSyncInterval: number
  /** How long a conditional delete's tombstone lasts, in ms (see `tombstoneTtl`). */
  readonly tombstoneTtl: number
  /** The switch's initial state; the runtime's `enabled` is the current one. */
  readonly enabled: boolean
  readonly clock: () => number
  readonly name: string
  readonly tagScope: 'namespace' | 'cache'
  readonly logger: CacheLogger | undefined
}

export {
  validateGetOptions,
  validateGetOrSetOptions,
  validateSetOptions,
  validateTags,
} from './call-options.js'
export { resolveCacheOptions, resolvePolicy } from './resolve-options.js'

import { type Duration, toMilliseconds } from '../duration.js'
import type { CacheEntry } from '../entry.js'
import { InvalidOptionError } from '../errors.js'
import type { LocalTier } from '../local-tier.js'
import type { Serializer } from '../serializer.js'
import { structuredSerializer } from '../serializers/structured.js'
import type { RemoteStore } from '../store.js'

/** A tier of a cache: the synchronous local tier, or a remote store. */
export type Tier = LocalTier<CacheEntry> | RemoteStore

/** Options of {@link createCache}. Per-call options override the lifetime ones. */
export interface CacheOptions {
  /**
   * The tiers, fastest first. At most one local tier (e.g. `memory()`), and it must come
   * first; any number of remote stores follow. The cache owns its tiers: `close()`
   * closes them.
   */
  readonly tiers: readonly Tier[]
  /** Prepended to every key, followed by `:`; isolates caches sharing a store. Default none. */
  readonly prefix?: string
  /** How long an entry is fresh. Default `'5m'`. `Infinity` keeps entries until evicted. */
  readonly ttl?: Duration
  /** Serializer for remote tiers. Default {@link structuredSerializer} (see docs/serialization.md). */
  readonly serializer?: Serializer
  /** Remote payloads of at least this many bytes are deflated. Default: never. */
  readonly compressThreshold?: number
  /** Throw when a tier fails, instead of counting the failure and using the other tiers. */
  readonly strict?: boolean
  /** Source of the current time in epoch ms. Default `Date.now`. */
  readonly clock?: () => number
  /** Name used in stats and errors. Default `'cache'`. */
  readonly name?: string
}

/** Options of a single write. */
export interface SetOptions {
  /** Fresh lifetime of this entry; overrides the cache's `ttl`. */
  readonly ttl?: Duration
  /** Tags stored with the entry. */
  readonly tags?: readonly string[]
}

/** Options of {@link Cache.getOrSet}. */
export interface GetOrSetOptions extends SetOptions {
  /** Ignore cached values and call the loader (concurrent callers still share one call). */
  readonly forceFresh?: boolean
}

/** What a loader receives. */
export interface LoaderContext {
  /** The key being loaded, without the cache prefix. */
  readonly key: string
  /** Aborted when the caller gives up on the loader. */
  readonly signal: AbortSignal
  /** Overrides the fresh lifetime of the value being loaded. */
  setTtl(ttl: Duration): void
  /** Replaces the tags the value will be stored with. */
  setTags(tags: readonly string[]): void
  /** Returns the value to the callers without caching it. */
  skipCache(): void
}

/** The validated, normalised form of {@link CacheOptions}. */
export interface ResolvedCacheOptions {
  readonly local: LocalTier<CacheEntry> | undefined
  readonly remotes: readonly RemoteStore[]
  readonly keyPrefix: string
  readonly ttl: number
  readonly serializer: Serializer
  readonly compressThreshold: number
  readonly strict: boolean
  readonly clock: () => number
  readonly name: string
}

const CACHE_OPTION_NAMES = new Set([
  'tiers',
  'prefix',
  'ttl',
  'serializer',
  'compressThreshold',
  'strict',
  'clock',
  'name',
])
const SET_OPTION_NAMES = new Set(['ttl', 'tags'])
const GET_OR_SET_OPTION_NAMES = new Set(['ttl', 'tags', 'forceFresh'])

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
  return {
    local,
    remotes,
    keyPrefix: prefix === '' ? '' : `${prefix}:`,
    ttl: toMilliseconds(options.ttl ?? '5m', 'ttl'),
    serializer,
    compressThreshold,
    strict: options.strict === true,
    clock: options.clock ?? Date.now,
    name: options.name ?? 'cache',
  }
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

export function validateSetOptions(options: SetOptions, method: string): void {
  rejectUnknown(options, SET_OPTION_NAMES, method)
  validateTags(options.tags)
}

export function validateGetOrSetOptions(options: GetOrSetOptions): void {
  rejectUnknown(options, GET_OR_SET_OPTION_NAMES, 'getOrSet')
  validateTags(options.tags)
}

export function validateTags(tags: readonly string[] | undefined): void {
  if (tags === undefined) return
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '')) {
    throw new InvalidOptionError('tags', 'tags must be an array of non-empty strings')
  }
}

function rejectUnknown(options: object, known: ReadonlySet<string>, method: string): void {
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw new InvalidOptionError(
        name,
        `unknown option "${name}" for ${method}; known options: ${[...known].join(', ')}`,
      )
    }
  }
}

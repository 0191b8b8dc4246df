import type { CacheBus } from '../bus.js'
import { toMilliseconds } from '../duration.js'
import type { CacheEntry } from '../entry.js'
import { DEFAULT_MAX_VALUE_BYTES } from '../envelope.js'
import { InvalidOptionError } from '../errors.js'
import type { LocalTier } from '../local-tier.js'
import { memory } from '../memory/memory-tier.js'
import type { TierGuardOptions } from '../resilience/options.js'
import { structuredSerializer } from '../serializers/structured.js'
import type { RemoteStore } from '../store.js'
import { FRESHNESS_OPTION_NAMES, rejectUnknown } from './call-options.js'
import { resolveMaxEntryLife } from './entry-life.js'
import { rootPath } from './keyspace.js'
import { isLogger } from './logging.js'
import type {
  CacheOptions,
  FreshnessOptions,
  Policy,
  ResolvedCacheOptions,
  Tier,
} from './options.js'
import { resolveReadCoalescing } from './read-coalescer.js'
import { NO_CAP } from './tier-caps.js'

const CACHE_OPTION_NAMES = new Set<string>([
  ...FRESHNESS_OPTION_NAMES,
  'tiers',
  'prefix',
  'serializer',
  'compressThreshold',
  'maxValueBytes',
  'checkSerializable',
  'strict',
  'writePolicy',
  'distributedLock',
  'bus',
  'tierTimeout',
  'circuitBreaker',
  'coalesceReads',
  'tagSyncInterval',
  'maxEntryLife',
  'tombstoneTtl',
  'enabled',
  'clock',
  'name',
  'tagScope',
  'logger',
])
const DEFAULT_POLICY: Policy = {
  ttl: 300_000,
  staleWhileRevalidate: 0,
  grace: 0,
  graceBackoff: 10_000,
  softTimeout: Number.POSITIVE_INFINITY,
  hardTimeout: Number.POSITIVE_INFINITY,
  beta: 0,
  maxEntryLife: Number.POSITIVE_INFINITY, // replaced by resolveMaxEntryLife
}

export function resolveCacheOptions(options: CacheOptions = {}): ResolvedCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(
      'options',
      'createCache expects an options object (or none, for a memory-only cache)',
    )
  }
  rejectUnknown(options, CACHE_OPTION_NAMES, 'createCache')
  const { local, remotes, tierCaps } = splitTiers(options.tiers)
  const prefix = options.prefix ?? ''
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', `prefix must be a string, got ${typeof prefix}`)
  }
  // Checked by the envelope codec the runtime builds from it.
  const serializer = options.serializer ?? structuredSerializer
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
  const policy = resolvePolicy(DEFAULT_POLICY, options)
  return {
    local,
    remotes,
    tierCaps,
    keyPrefix: rootPath(prefix),
    policy: { ...policy, maxEntryLife: resolveMaxEntryLife(options.maxEntryLife, policy) },
    serializer,
    compressThreshold,
    maxValueBytes: resolveMaxValueBytes(options.maxValueBytes),
    checkSerializable: resolveCheckSerializable(options.checkSerializable),
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
    tombstoneTtl: resolveTombstoneTtl(options.tombstoneTtl),
    enabled: resolveEnabled(options.enabled),
    clock: options.clock ?? Date.now,
    name: options.name ?? 'cache',
    tagScope: resolveTagScope(options.tagScope),
    logger: resolveLogger(options.logger),
  }
}

/** `tombstoneTtl` in ms: finite and >= 0; one minute by default. */
function resolveTombstoneTtl(tombstoneTtl: CacheOptions['tombstoneTtl']): number {
  const ms = toMilliseconds(tombstoneTtl ?? '1m', 'tombstoneTtl')
  if (!(ms >= 0) || !Number.isFinite(ms)) {
    throw new InvalidOptionError(
      'tombstoneTtl',
      `tombstoneTtl must be a finite duration >= 0, got ${String(tombstoneTtl)}`,
    )
  }
  return ms
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
    maxEntryLife: base.maxEntryLife,
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

function resolveCheckSerializable(check: boolean | undefined): boolean {
  if (check === undefined) return process.env.NODE_ENV !== 'production'
  if (typeof check !== 'boolean') {
    throw new InvalidOptionError('checkSerializable', 'checkSerializable must be a boolean')
  }
  return check
}

function resolveMaxValueBytes(bytes: number | undefined): number {
  if (bytes === undefined) return DEFAULT_MAX_VALUE_BYTES
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new InvalidOptionError(
      'maxValueBytes',
      `maxValueBytes must be a positive integer, got ${bytes}`,
    )
  }
  return bytes
}

function resolveLogger(logger: CacheOptions['logger']): ResolvedCacheOptions['logger'] {
  if (logger === undefined) return undefined
  if (!isLogger(logger)) {
    throw new InvalidOptionError(
      'logger',
      'logger must have warn and error methods (and optionally debug and info), like console or pino',
    )
  }
  return logger
}

function resolveTagScope(scope: CacheOptions['tagScope']): 'namespace' | 'cache' {
  if (scope === undefined) return 'namespace'
  if (scope !== 'namespace' && scope !== 'cache') {
    throw new InvalidOptionError(
      'tagScope',
      `tagScope must be 'namespace' or 'cache', got ${String(scope)}`,
    )
  }
  return scope
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
  tierCaps: { local: number; remotes: number[] }
} {
  const tierCaps = { local: NO_CAP, remotes: [] as number[] }
  // No tiers given: the zero-config cache, one memory tier with its defaults.
  if (tiers === undefined) return { local: memory<CacheEntry>(), remotes: [], tierCaps }
  if (!Array.isArray(tiers) || tiers.length === 0) {
    throw new InvalidOptionError(
      'tiers',
      'tiers must be a non-empty array, e.g. [memory()] or [memory(), redisStore(...)]; leave it out for a memory-only cache',
    )
  }
  let local: LocalTier<CacheEntry> | undefined
  const remotes: RemoteStore[] = []
  tiers.forEach((given, index) => {
    const { tier, maxTtl } = readTierSettings(given, index)
    if ((tier as Partial<LocalTier>)?.kind === 'local') {
      if (index !== 0) {
        throw new InvalidOptionError(
          'tiers',
          `the local tier must be tiers[0], found at tiers[${index}]`,
        )
      }
      local = tier as LocalTier<CacheEntry>
      tierCaps.local = maxTtl
    } else if (isRemoteStore(tier)) {
      remotes.push(tier)
      tierCaps.remotes.push(maxTtl)
    } else {
      throw new InvalidOptionError('tiers', `tiers[${index}] is neither a local tier nor a store`)
    }
  })
  return { local, remotes, tierCaps }
}

/** A tier as given, or `{ store, maxTtl }`: the tier and its cap in ms (`Infinity`: none). */
function readTierSettings(given: Tier, index: number): { tier: unknown; maxTtl: number } {
  // A tier given as it is (a store may well have a property named `store` of its own).
  if (
    typeof given !== 'object' ||
    given === null ||
    (given as Partial<LocalTier>).kind === 'local' ||
    isRemoteStore(given) ||
    !('store' in given)
  ) {
    return { tier: given, maxTtl: NO_CAP }
  }
  for (const name of Object.keys(given)) {
    if (name !== 'store' && name !== 'maxTtl') {
      throw new InvalidOptionError(
        `tiers[${index}].${name}`,
        `unknown tier setting '${name}' in tiers[${index}]; known: store, maxTtl`,
      )
    }
  }
  if (given.maxTtl === undefined) return { tier: given.store, maxTtl: NO_CAP }
  const option = `tiers[${index}].maxTtl`
  const maxTtl = toMilliseconds(given.maxTtl, option)
  if (maxTtl === 0) throw new InvalidOptionError(option, `${option} must be > 0`)
  return { tier: given.store, maxTtl }
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

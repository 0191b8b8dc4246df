import {
  type CacheEntry,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
} from '@stack/core'

/** The memory tier's key rule: any non-empty string. */
export function assertTierKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError('sqlite tier keys must be non-empty strings', String(key))
  }
}

/**
 * Checks that `value` is a cache entry an envelope can carry and read back (a finite
 * `createdAt`, `createdAt <= freshUntil <= staleUntil`, a tag array), so the tier never
 * writes a row it would later refuse as corrupt.
 */
export function assertEntry(
  tier: string,
  key: string,
  value: unknown,
): asserts value is CacheEntry {
  const entry = value as Partial<CacheEntry> | null
  if (
    typeof entry !== 'object' ||
    entry === null ||
    typeof entry.createdAt !== 'number' ||
    !Number.isFinite(entry.createdAt) ||
    typeof entry.freshUntil !== 'number' ||
    typeof entry.staleUntil !== 'number' ||
    !(entry.freshUntil >= entry.createdAt && entry.staleUntil >= entry.freshUntil) ||
    !Array.isArray(entry.tags) ||
    (entry.loadTime !== undefined && typeof entry.loadTime !== 'number')
  ) {
    throw new InvalidValueError(
      `sqlite tier "${tier}" stores cache entries ({ value, createdAt <= freshUntil <= staleUntil, tags }); the value for key "${key}" is not one`,
      key,
    )
  }
}

/** Lifetime settings of a tier, in ms (`Infinity` for none). */
export interface LifetimeRules {
  readonly ttl: number
  readonly maxTtl: number
}

/**
 * The expiry `set` stores, exactly as the memory tier computes it: `expiresAt`, or now +
 * `ttl` when omitted, clamped to now + `maxTtl`. Reads the clock only when needed.
 */
export function resolveExpiry(
  rules: LifetimeRules,
  expiresAt: number | undefined,
  clock: () => number,
): { expiry: number; now: number } {
  let now: number | undefined
  let expiry: number
  if (expiresAt === undefined) {
    expiry = rules.ttl
    if (expiry !== Number.POSITIVE_INFINITY) {
      now = clock()
      expiry += now
    }
  } else {
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
      throw new InvalidOptionError('expiresAt', `expiresAt must be epoch ms, got ${expiresAt}`)
    }
    expiry = expiresAt
  }
  now ??= clock()
  if (rules.maxTtl !== Number.POSITIVE_INFINITY) expiry = Math.min(expiry, now + rules.maxTtl)
  return { expiry, now }
}

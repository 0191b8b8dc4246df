import { type Duration, toMilliseconds } from '../duration.js'
import { InvalidOptionError } from '../errors.js'
import type { EvictionPolicyName } from './policies/policy.js'
import { estimateSize } from './size-estimate.js'

/**
 * Why an entry left a memory tier:
 * - `'capacity'`: evicted (or refused by tinylfu's admission) to respect `maxEntries`/`maxBytes`;
 * - `'expired'`: its expiry passed; noticed by a read, a delete, the write-time sweep or `prune()`;
 * - `'deleted'`: removed by `delete()`, `clear()`, `close()` or a `set()` whose expiry is already past;
 * - `'replaced'`: overwritten by `set()` with a different value (or refused as too large).
 */
export type EvictionReason = 'capacity' | 'expired' | 'deleted' | 'replaced'

/**
 * Called once per entry leaving the tier. Listeners run after the operation that
 * removed the entry has completed, so they may call back into the tier.
 */
export type EvictListener<V> = (key: string, value: V, reason: EvictionReason) => void

/** Options of {@link memory}. */
export interface MemoryOptions<V> {
  /** Name in stats, traces and errors. Default `'memory'`. */
  name?: string
  /** Most entries held; a positive integer. Default `10_000`. */
  maxEntries?: number
  /** Most bytes held, as measured by `sizeOf`. Default: no byte bound. */
  maxBytes?: number
  /**
   * Size of one entry in bytes, a finite number >= 0. Default with `maxBytes`:
   * {@link estimateSize}. Without `maxBytes` and `sizeOf` no size is measured.
   */
  sizeOf?: (value: V, key: string) => number
  /** Eviction policy; see docs/memory-tier.md. Default `'tinylfu'`. */
  policy?: EvictionPolicyName
  /** Lifetime of entries written without `expiresAt`. Default: they never expire. */
  ttl?: Duration
  /** Longest lifetime any entry gets: `set()` clamps `expiresAt` to now + `maxTtl`. */
  maxTtl?: Duration
  /** Isolate values with `structuredClone` on write and on read. Default `false`. */
  clone?: boolean
  /** Called for every entry leaving the tier; see {@link EvictionReason}. */
  onEvict?: EvictListener<V>
  /** Current time in epoch ms. Default `Date.now`. */
  clock?: () => number
}

/** {@link MemoryOptions} checked, with defaults applied. */
export interface ResolvedMemoryOptions<V> {
  readonly name: string
  readonly maxEntries: number
  readonly maxBytes: number
  readonly sizeOf: ((value: V, key: string) => number) | undefined
  readonly policy: EvictionPolicyName
  readonly ttl: number
  readonly maxTtl: number
  readonly clone: boolean
  readonly onEvict: EvictListener<V> | undefined
  readonly clock: () => number
}

const POLICIES: readonly EvictionPolicyName[] = ['lru', 'lfu', 'fifo', 'tinylfu']
const KNOWN_OPTIONS = new Set([
  'name',
  'maxEntries',
  'maxBytes',
  'sizeOf',
  'policy',
  'ttl',
  'maxTtl',
  'clone',
  'onEvict',
  'clock',
])

/** Validates `options`, throwing `InvalidOptionError` naming the first bad one. */
export function resolveMemoryOptions<V>(options: MemoryOptions<V> = {}): ResolvedMemoryOptions<V> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'memory options must be an object')
  }
  for (const option of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(option)) {
      throw new InvalidOptionError(option, `unknown memory tier option '${option}'`)
    }
  }
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
  if (options.maxBytes !== undefined && !(typeof maxBytes === 'number' && maxBytes > 0)) {
    throw new InvalidOptionError('maxBytes', `maxBytes must be a number > 0, got ${maxBytes}`)
  }
  return {
    name: nameOption(options.name),
    maxEntries: maxEntriesOption(options.maxEntries),
    maxBytes,
    sizeOf:
      optionalFunction(options.sizeOf, 'sizeOf') ??
      (options.maxBytes === undefined ? undefined : estimateSize),
    policy: policyOption(options.policy),
    ttl: lifetimeOption(options.ttl, 'ttl'),
    maxTtl: lifetimeOption(options.maxTtl, 'maxTtl'),
    clone: booleanOption(options.clone, 'clone'),
    onEvict: optionalFunction(options.onEvict, 'onEvict'),
    clock: optionalFunction(options.clock, 'clock') ?? Date.now,
  }
}

function nameOption(name: unknown): string {
  if (name === undefined) return 'memory'
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionError('name', 'name must be a non-empty string')
  }
  return name
}

function maxEntriesOption(maxEntries: unknown): number {
  if (maxEntries === undefined) return 10_000
  if (!Number.isSafeInteger(maxEntries) || (maxEntries as number) < 1) {
    throw new InvalidOptionError(
      'maxEntries',
      `maxEntries must be a positive integer, got ${String(maxEntries)}`,
    )
  }
  return maxEntries as number
}

function policyOption(policy: unknown): EvictionPolicyName {
  if (policy === undefined) return 'tinylfu'
  if (!POLICIES.includes(policy as EvictionPolicyName)) {
    throw new InvalidOptionError(
      'policy',
      `policy must be one of ${POLICIES.join(', ')}, got ${String(policy)}`,
    )
  }
  return policy as EvictionPolicyName
}

/** A lifetime in ms, > 0; `Infinity` when not given. */
function lifetimeOption(value: Duration | undefined, option: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  const milliseconds = toMilliseconds(value, option)
  if (milliseconds === 0) throw new InvalidOptionError(option, `${option} must be > 0`)
  return milliseconds
}

function booleanOption(value: unknown, option: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(option, `${option} must be a boolean, got ${typeof value}`)
  }
  return value
}

function optionalFunction<F>(value: F | undefined, option: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(option, `${option} must be a function, got ${typeof value}`)
  }
  return value
}

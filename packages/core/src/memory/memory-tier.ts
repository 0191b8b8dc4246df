import type { CacheEntry } from '../entry.js'
import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  SerializationError,
  ValueTooLargeError,
} from '../errors.js'
import type { LocalTier } from '../local-tier.js'
import { ExpiryHeap } from './expiry-heap.js'
import { MemoryNode, NEVER } from './node.js'
import {
  type EvictionReason,
  type EvictListener,
  type MemoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from './options.js'
import { createPolicy } from './policies/create-policy.js'
import type { EvictionPolicy, EvictionPolicyName } from './policies/policy.js'

/** Most expired entries a single write removes, so no write pays for a mass expiry. */
const SWEEP_BUDGET = 8

/** A snapshot of a memory tier's counters. */
export interface MemoryStats {
  /** `get` calls that returned a value. */
  readonly hits: number
  /** `get` calls that found nothing live. */
  readonly misses: number
  /** Entries removed to respect `maxEntries`/`maxBytes`. */
  readonly evictions: number
  /** Entries removed because their expiry passed. */
  readonly expirations: number
  /** Entries held now (may include expired ones not swept yet). */
  readonly entries: number
  /** Bytes held now, as measured by `sizeOf` (0 when nothing is measured). */
  readonly bytes: number
}

interface PendingEviction<V> {
  readonly key: string
  readonly value: V
  readonly reason: EvictionReason
}

/**
 * The built-in local tier: a bounded, synchronous, in-process map of decoded values
 * with a choice of eviction policy, absolute expiries and optional byte accounting.
 * Create it with {@link memory}.
 *
 * Reads never return an entry at or past its `expiresAt`. Expired entries are found
 * without a timer: a read that meets one removes it, and every write removes up to 8
 * entries from the front of an expiry-ordered heap, so keys nobody reads again do not
 * pile up. `prune()` removes every expired entry at once.
 *
 * @example
 * ```ts
 * import { memory } from '@stack/core'
 *
 * const tier = memory<string>({ maxEntries: 1_000, ttl: '5m' })
 * tier.set('user:1', 'Ada')
 * tier.get('user:1') // 'Ada'
 * tier.stats()       // { hits: 1, misses: 0, ... }
 * ```
 */
export class MemoryTier<V = CacheEntry> implements LocalTier<V> {
  readonly kind = 'local' as const
  readonly name: string
  /** The eviction policy in use. */
  readonly policy: EvictionPolicyName
  readonly #map = new Map<string, MemoryNode<V>>()
  readonly #heap = new ExpiryHeap<V>()
  readonly #policy: EvictionPolicy<V>
  readonly #options: ResolvedMemoryOptions<V>
  readonly #clock: () => number
  readonly #clone: boolean
  #listeners: readonly EvictListener<V>[] = []
  #pending: PendingEviction<V>[] = []
  #closed = false
  #bytes = 0
  #hits = 0
  #misses = 0
  #evictions = 0
  #expirations = 0

  constructor(options?: MemoryOptions<V>) {
    const resolved = resolveMemoryOptions(options)
    this.#options = resolved
    this.name = resolved.name
    this.policy = resolved.policy
    this.#policy = createPolicy(resolved.policy, resolved.maxEntries)
    this.#clock = resolved.clock
    this.#clone = resolved.clone
    if (resolved.onEvict !== undefined) this.#listeners = [resolved.onEvict]
  }

  /** Entries held, including expired ones the sweep has not reached yet. */
  get size(): number {
    return this.#map.size
  }

  get(key: string, now?: number): V | undefined {
    if (this.#closed) throw this.#closedError()
    const node = this.#map.get(key)
    if (node === undefined) {
      this.#misses++
      return undefined
    }
    const expiresAt = node.expiresAt
    if (expiresAt !== NEVER && expiresAt <= (now ?? this.#clock())) {
      this.#misses++
      this.#remove(node, 'expired')
      this.#flush()
      return undefined
    }
    this.#hits++
    this.#policy.touch(node)
    return this.#clone ? cloneValue(node.value, key) : node.value
  }

  peek(key: string): V | undefined {
    const node = this.#live(key)
    if (node === undefined) return undefined
    return this.#clone ? cloneValue(node.value, key) : node.value
  }

  has(key: string): boolean {
    return this.#live(key) !== undefined
  }

  /**
   * Stores `value` under `key` until `expiresAt` (epoch ms), or for `ttl` when omitted,
   * clamped to now + `maxTtl`. An expiry at or before now deletes the key instead.
   *
   * @throws InvalidKeyError when `key` is not a non-empty string.
   * @throws ValueTooLargeError when the value alone measures more than `maxBytes`; any
   *   previous value under `key` is removed first, so a later read cannot serve it.
   * @throws SerializationError when `clone` is on and the value cannot be cloned.
   */
  set(key: string, value: V, expiresAt?: number): void {
    if (this.#closed) throw this.#closedError()
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidKeyError('memory tier keys must be non-empty strings', String(key))
    }
    const options = this.#options
    let now: number | undefined
    let expiry: number
    if (expiresAt === undefined) {
      expiry = options.ttl
      if (expiry !== NEVER) {
        now = this.#clock()
        expiry += now
      }
    } else {
      if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
        throw new InvalidOptionError('expiresAt', `expiresAt must be epoch ms, got ${expiresAt}`)
      }
      expiry = expiresAt
    }
    if (options.maxTtl !== NEVER) {
      now ??= this.#clock()
      expiry = Math.min(expiry, now + options.maxTtl)
    }
    if (expiry !== NEVER) {
      now ??= this.#clock()
      if (expiry <= now) {
        this.#removeKey(key, 'deleted', now)
        this.#flush()
        return
      }
    }
    const bytes = options.sizeOf === undefined ? 0 : measure(options.sizeOf, value, key)
    if (bytes > options.maxBytes) {
      this.#removeKey(key, 'replaced', now)
      this.#flush()
      throw new ValueTooLargeError(key, bytes, options.maxBytes)
    }
    const stored = this.#clone ? cloneValue(value, key) : value
    const existing = this.#map.get(key)
    if (existing === undefined) {
      this.#insert(key, stored, expiry, bytes, now)
    } else {
      this.#overwrite(existing, stored, expiry, bytes, now)
    }
    this.#flush()
  }

  delete(key: string): boolean {
    if (this.#closed) throw this.#closedError()
    const removed = this.#removeKey(key, 'deleted', undefined)
    this.#flush()
    return removed
  }

  clear(prefix = ''): void {
    if (this.#closed) throw this.#closedError()
    this.#dropAll(prefix)
    this.#flush()
  }

  /** Drops every entry (reporting each as `'deleted'`) and refuses later calls. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#dropAll('')
    this.#closed = true
    try {
      this.#flush()
    } finally {
      this.#listeners = []
    }
  }

  /** Live keys starting with `prefix`, in no particular order. */
  keys(prefix = ''): IterableIterator<string> {
    if (this.#closed) throw this.#closedError()
    return this.#liveKeys(prefix, this.#clock())
  }

  /** Removes every expired entry now and returns how many there were. */
  prune(): number {
    if (this.#closed) throw this.#closedError()
    const removed = this.#sweep(this.#clock(), NEVER)
    this.#flush()
    return removed
  }

  stats(): MemoryStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expirations: this.#expirations,
      entries: this.#map.size,
      bytes: this.#bytes,
    }
  }

  /**
   * Calls `listener` for every entry leaving the tier, after the `onEvict` option.
   * Returns a function that removes it. With no listener, evictions cost nothing extra.
   */
  addEvictListener(listener: EvictListener<V>): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError('listener', 'an evict listener must be a function')
    }
    this.#listeners = [...this.#listeners, listener]
    return () => {
      const index = this.#listeners.indexOf(listener)
      if (index !== -1) this.#listeners = this.#listeners.toSpliced(index, 1)
    }
  }

  #insert(key: string, value: V, expiresAt: number, bytes: number, now: number | undefined): void {
    const node = new MemoryNode(key, value, expiresAt, bytes)
    this.#map.set(key, node)
    if (expiresAt !== NEVER) this.#heap.push(node)
    this.#bytes += bytes
    this.#policy.insert(node)
    this.#makeRoom(node, now)
  }

  #overwrite(
    node: MemoryNode<V>,
    value: V,
    expiresAt: number,
    bytes: number,
    now: number | undefined,
  ): void {
    const previous = node.value
    let reason: EvictionReason = 'replaced'
    if (node.expiresAt !== NEVER) {
      now ??= this.#clock()
      if (node.expiresAt <= now) {
        reason = 'expired'
        this.#expirations++
      }
    }
    if (reason === 'expired' || previous !== value) this.#notify(node.key, previous, reason)
    node.value = value
    this.#bytes += bytes - node.bytes
    node.bytes = bytes
    this.#reschedule(node, expiresAt)
    this.#policy.update(node)
    this.#makeRoom(node, now)
  }

  /** Sweeps a few expired entries, then evicts until the bounds hold again. */
  #makeRoom(keep: MemoryNode<V>, now: number | undefined): void {
    if (this.#heap.size !== 0) this.#sweep(now ?? this.#clock(), SWEEP_BUDGET)
    const { maxEntries, maxBytes } = this.#options
    while (this.#map.size > maxEntries || this.#bytes > maxBytes) {
      const victim = this.#policy.victim(keep)
      if (victim === null) return
      this.#remove(victim, 'capacity')
    }
  }

  #sweep(now: number, budget: number): number {
    let removed = 0
    while (removed < budget) {
      const next = this.#heap.peek()
      if (next === undefined || next.expiresAt > now) break
      this.#remove(next, 'expired')
      removed++
    }
    return removed
  }

  #reschedule(node: MemoryNode<V>, expiresAt: number): void {
    node.expiresAt = expiresAt
    const scheduled = node.heapIndex !== -1
    if (expiresAt === NEVER) {
      if (scheduled) this.#heap.remove(node)
    } else if (scheduled) {
      this.#heap.reschedule(node)
    } else {
      this.#heap.push(node)
    }
  }

  /** Removes `key` if present; `true` when it was live. */
  #removeKey(key: string, reason: EvictionReason, now: number | undefined): boolean {
    const node = this.#map.get(key)
    if (node === undefined) return false
    if (node.expiresAt !== NEVER && node.expiresAt <= (now ?? this.#clock())) {
      this.#remove(node, 'expired')
      return false
    }
    this.#remove(node, reason)
    return true
  }

  #remove(node: MemoryNode<V>, reason: EvictionReason): void {
    this.#map.delete(node.key)
    this.#policy.remove(node)
    if (node.heapIndex !== -1) this.#heap.remove(node)
    this.#bytes -= node.bytes
    if (reason === 'capacity') this.#evictions++
    else if (reason === 'expired') this.#expirations++
    this.#notify(node.key, node.value, reason)
  }

  #dropAll(prefix: string): void {
    if (prefix === '' && this.#listeners.length === 0) {
      this.#map.clear()
      this.#heap.clear()
      this.#policy.clear()
      this.#bytes = 0
      return
    }
    const now = this.#clock()
    for (const node of this.#map.values()) {
      if (!node.key.startsWith(prefix)) continue
      this.#remove(node, node.expiresAt <= now ? 'expired' : 'deleted')
    }
  }

  /** Queues a listener call, run by `#flush` once the operation is complete. */
  #notify(key: string, value: V, reason: EvictionReason): void {
    if (this.#listeners.length === 0) return
    this.#pending.push({ key, value, reason })
  }

  /** Runs queued listener calls once the tier is consistent; rethrows the first failure. */
  #flush(): void {
    if (this.#pending.length === 0) return
    const batch = this.#pending
    this.#pending = []
    const listeners = this.#listeners
    let failure: { error: unknown } | undefined
    for (const { key, value, reason } of batch) {
      for (const listener of listeners) {
        try {
          listener(key, value, reason)
        } catch (error) {
          failure ??= { error }
        }
      }
    }
    if (failure !== undefined) throw failure.error
  }

  #live(key: string): MemoryNode<V> | undefined {
    if (this.#closed) throw this.#closedError()
    const node = this.#map.get(key)
    if (node === undefined) return undefined
    const expiresAt = node.expiresAt
    if (expiresAt !== NEVER && expiresAt <= this.#clock()) return undefined
    return node
  }

  *#liveKeys(prefix: string, now: number): IterableIterator<string> {
    for (const node of this.#map.values()) {
      if (node.expiresAt > now && node.key.startsWith(prefix)) yield node.key
    }
  }

  #closedError(): ClosedError {
    return new ClosedError(`memory tier "${this.name}"`)
  }
}

/**
 * Creates a {@link MemoryTier}: the synchronous local tier of a cache chain.
 *
 * @example
 * ```ts
 * import { memory } from '@stack/core'
 *
 * const l1 = memory({ maxEntries: 50_000, policy: 'tinylfu', maxTtl: '1m' })
 * ```
 */
export function memory<V = CacheEntry>(options?: MemoryOptions<V>): MemoryTier<V> {
  return new MemoryTier<V>(options)
}

function measure<V>(sizeOf: (value: V, key: string) => number, value: V, key: string): number {
  const bytes = sizeOf(value, key)
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new InvalidOptionError(
      'sizeOf',
      `sizeOf must return a finite number >= 0, got ${String(bytes)} for key "${key}"`,
    )
  }
  return bytes
}

function cloneValue<V>(value: V, key: string): V {
  try {
    return structuredClone(value)
  } catch (error) {
    throw new SerializationError(`value for key "${key}" cannot be cloned`, key, error)
  }
}

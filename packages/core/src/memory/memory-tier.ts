import type { CacheEntry } from '../entry.js'
import { ClosedError, InvalidKeyError, InvalidOptionError, ValueTooLargeError } from '../errors.js'
import type { LocalTier } from '../local-tier.js'
import { EvictQueue } from './evict-queue.js'
import { ExpiryHeap } from './expiry-heap.js'
import type { MemoryStats } from './memory-stats.js'
import {
  type EvictionReason,
  type EvictListener,
  type MemoryOptions,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from './options.js'
import { createPolicy } from './policies/create-policy.js'
import type { EvictionPolicy, EvictionPolicyName } from './policies/policy.js'
import { SlotValues } from './slot-values.js'
import { NEVER, NONE, Slots } from './slots.js'
import { cloneValue, measure } from './value-checks.js'

/** Most expired entries a single write removes, so no write pays for a mass expiry. */
const SWEEP_BUDGET = 8

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
 * Entries live in a structure of arrays ({@link Slots}): a `Map` from key to slot
 * number, and per slot a few typed-array cells (expiry, list links, heap position)
 * instead of an object; cache entries written by `createCache` are unpacked into
 * columns too (see `SlotValues`). See docs/memory-tier.md for the layout.
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
  readonly #map = new Map<string, number>()
  readonly #slots: Slots<V>
  readonly #heap: ExpiryHeap
  readonly #policy: EvictionPolicy
  readonly #values: SlotValues<V>
  readonly #options: ResolvedMemoryOptions<V>
  #clock: () => number
  /** Whether `clock` was given as an option (then a cache's clock does not replace it). */
  readonly #ownClock: boolean
  readonly #clone: boolean
  readonly #evicted = new EvictQueue<V>()
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
    // One slot more than maxEntries: a write links its entry before evicting for room.
    this.#slots = new Slots<V>(resolved.maxEntries + 1, resolved.sizeOf !== undefined)
    this.#values = new SlotValues(this.#slots)
    this.#heap = new ExpiryHeap(this.#slots)
    this.#policy = createPolicy(resolved.policy, resolved.maxEntries, this.#slots)
    this.#clock = resolved.clock
    this.#ownClock = options?.clock !== undefined
    this.#clone = resolved.clone
    if (resolved.onEvict !== undefined) this.#evicted.add(resolved.onEvict)
  }

  /**
   * Makes the tier read time from `clock` unless it was given its own `clock` option.
   * `createCache` calls this with its `clock`, so a fake clock given to the cache also
   * decides when the tier's entries expire.
   */
  adoptClock(clock: () => number): void {
    if (typeof clock !== 'function') {
      throw new InvalidOptionError('clock', 'clock must be a function returning epoch ms')
    }
    if (!this.#ownClock) this.#clock = clock
  }

  /** Entries held, including expired ones the sweep has not reached yet. */
  get size(): number {
    return this.#map.size
  }

  get(key: string, now?: number): V | undefined {
    if (this.#closed) throw this.#closedError()
    const slot = this.#map.get(key)
    if (slot === undefined) {
      this.#misses++
      return undefined
    }
    const expiresAt = this.#slots.expiresAt[slot] as number
    if (expiresAt !== NEVER && expiresAt <= (now ?? this.#clock())) {
      this.#misses++
      this.#remove(slot, 'expired')
      this.#evicted.flush()
      return undefined
    }
    this.#hits++
    this.#policy.touch(slot)
    return this.#read(slot, key)
  }

  peek(key: string): V | undefined {
    const slot = this.#live(key)
    return slot === undefined ? undefined : this.#read(slot, key)
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
    if (expiresAt !== undefined && (typeof expiresAt !== 'number' || Number.isNaN(expiresAt))) {
      throw new InvalidOptionError('expiresAt', `expiresAt must be epoch ms, got ${expiresAt}`)
    }
    let expiry = expiresAt ?? options.ttl
    let now: number | undefined
    // No clock read for a write that never expires.
    if (expiry !== NEVER || options.maxTtl !== NEVER) {
      now = this.#clock()
      if (expiresAt === undefined) expiry += now
      expiry = Math.min(expiry, now + options.maxTtl)
      if (expiry <= now) {
        this.#removeKey(key, 'deleted', now)
        this.#evicted.flush()
        return
      }
    }
    const bytes = options.sizeOf === undefined ? 0 : measure(options.sizeOf, value, key)
    if (bytes > options.maxBytes) {
      this.#removeKey(key, 'replaced', now)
      this.#evicted.flush()
      throw new ValueTooLargeError(key, bytes, options.maxBytes)
    }
    const stored = this.#clone ? cloneValue(value, key) : value
    const existing = this.#map.get(key)
    if (existing === undefined) {
      this.#insert(key, stored, expiry, bytes, now)
    } else {
      this.#overwrite(existing, stored, expiry, bytes, now)
    }
    this.#evicted.flush()
  }

  delete(key: string): boolean {
    if (this.#closed) throw this.#closedError()
    const removed = this.#removeKey(key, 'deleted', undefined)
    this.#evicted.flush()
    return removed
  }

  clear(prefix = ''): void {
    if (this.#closed) throw this.#closedError()
    this.#dropAll(prefix)
    this.#evicted.flush()
  }

  /** Drops every entry (reporting each as `'deleted'`) and refuses later calls. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#dropAll('')
    this.#closed = true
    try {
      this.#evicted.flush()
    } finally {
      this.#evicted.listeners = []
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
    this.#evicted.flush()
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
    return this.#evicted.add(listener)
  }

  /** The value held in `slot`, rebuilt if it is an unpacked entry, cloned if asked. */
  #read(slot: number, key: string): V {
    const value = this.#values.get(slot)
    return this.#clone ? cloneValue(value, key) : value
  }

  #insert(key: string, value: V, expiresAt: number, bytes: number, now: number | undefined): void {
    const slots = this.#slots
    const slot = slots.allocate(key, value, expiresAt)
    this.#values.put(slot, value)
    this.#map.set(key, slot)
    if (expiresAt !== NEVER) this.#heap.push(slot)
    if (slots.bytes !== undefined) slots.bytes[slot] = bytes
    this.#bytes += bytes
    this.#policy.insert(slot)
    this.#makeRoom(slot, now)
  }

  #overwrite(
    slot: number,
    value: V,
    expiresAt: number,
    bytes: number,
    now: number | undefined,
  ): void {
    const slots = this.#slots
    const previousExpiry = slots.expiresAt[slot] as number
    let reason: EvictionReason | undefined
    if (previousExpiry !== NEVER) {
      now ??= this.#clock()
      if (previousExpiry <= now) {
        reason = 'expired'
        this.#expirations++
      }
    }
    if (this.#evicted.active) {
      if (reason === undefined && !this.#values.holds(slot, value)) reason = 'replaced'
      if (reason !== undefined)
        this.#evicted.push(slots.keys[slot] as string, this.#values.get(slot), reason)
    }
    this.#values.put(slot, value)
    if (slots.bytes !== undefined) {
      this.#bytes += bytes - (slots.bytes[slot] as number)
      slots.bytes[slot] = bytes
    }
    this.#reschedule(slot, expiresAt)
    this.#policy.update(slot)
    this.#makeRoom(slot, now)
  }

  /** Sweeps a few expired entries, then evicts until the bounds hold again. */
  #makeRoom(keep: number, now: number | undefined): void {
    if (this.#heap.size !== 0) this.#sweep(now ?? this.#clock(), SWEEP_BUDGET)
    const { maxEntries, maxBytes } = this.#options
    while (this.#map.size > maxEntries || this.#bytes > maxBytes) {
      const victim = this.#policy.victim(keep)
      if (victim === NONE) return
      this.#remove(victim, 'capacity')
    }
  }

  #sweep(now: number, budget: number): number {
    const expiresAt = this.#slots.expiresAt
    let removed = 0
    while (removed < budget) {
      const next = this.#heap.peek()
      if (next === NONE || (expiresAt[next] as number) > now) break
      this.#remove(next, 'expired')
      removed++
    }
    return removed
  }

  #reschedule(slot: number, expiresAt: number): void {
    this.#slots.expiresAt[slot] = expiresAt
    const scheduled = this.#slots.heapIndex[slot] !== NONE
    if (expiresAt === NEVER) {
      if (scheduled) this.#heap.remove(slot)
    } else if (scheduled) {
      this.#heap.reschedule(slot)
    } else {
      this.#heap.push(slot)
    }
  }

  /** Removes `key` if present; `true` when it was live. */
  #removeKey(key: string, reason: EvictionReason, now: number | undefined): boolean {
    const slot = this.#map.get(key)
    if (slot === undefined) return false
    const expiresAt = this.#slots.expiresAt[slot] as number
    if (expiresAt !== NEVER && expiresAt <= (now ?? this.#clock())) {
      this.#remove(slot, 'expired')
      return false
    }
    this.#remove(slot, reason)
    return true
  }

  #remove(slot: number, reason: EvictionReason): void {
    const slots = this.#slots
    const key = slots.keys[slot] as string
    this.#map.delete(key)
    this.#policy.remove(slot)
    if (slots.heapIndex[slot] !== NONE) this.#heap.remove(slot)
    if (slots.bytes !== undefined) this.#bytes -= slots.bytes[slot] as number
    if (reason === 'capacity') this.#evictions++
    else if (reason === 'expired') this.#expirations++
    if (this.#evicted.active) this.#evicted.push(key, this.#values.get(slot), reason)
    this.#values.unset(slot)
    slots.release(slot)
  }

  #dropAll(prefix: string): void {
    if (prefix === '' && !this.#evicted.active) {
      this.#map.clear()
      this.#heap.clear()
      this.#policy.clear()
      this.#slots.reset()
      this.#values.reset()
      this.#bytes = 0
      return
    }
    const now = this.#clock()
    const expiresAt = this.#slots.expiresAt
    for (const [key, slot] of this.#map) {
      if (!key.startsWith(prefix)) continue
      this.#remove(slot, (expiresAt[slot] as number) <= now ? 'expired' : 'deleted')
    }
  }

  #live(key: string): number | undefined {
    if (this.#closed) throw this.#closedError()
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    const expiresAt = this.#slots.expiresAt[slot] as number
    if (expiresAt !== NEVER && expiresAt <= this.#clock()) return undefined
    return slot
  }

  *#liveKeys(prefix: string, now: number): IterableIterator<string> {
    for (const [key, slot] of this.#map) {
      // Read the column each time: writes between two yields may have grown it.
      if ((this.#slots.expiresAt[slot] as number) > now && key.startsWith(prefix)) yield key
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

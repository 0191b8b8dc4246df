import type { CacheEntry } from '../entry.js'
import { resizeArray, resizeFloat64, type Slots } from './slots.js'

const ENTRY_KEYS = ['value', 'createdAt', 'freshUntil', 'staleUntil', 'tags'] as const

/**
 * Holds cache entries (`{ value, createdAt, freshUntil, staleUntil, tags, loadTime? }`,
 * what `createCache` stores in its local tier) unpacked into columns: the value in the
 * tier's `values` column, the timestamps in `Float64Array`s and the tags by reference.
 * An entry object with three boxed doubles costs over 100 heap bytes; unpacked it costs
 * 32 (40 with `loadTime`). Reads rebuild an equal object (same fields, same order), so
 * a caller gets an entry that is equal to, not identical with, the one it stored.
 *
 * Only plain objects with exactly these own fields, of these types, are unpacked; any
 * other value is stored as is. The columns are allocated on the first unpacked entry,
 * so a tier that never holds one pays nothing.
 */
export class EntryColumns {
  /** The entry's tags, or `undefined` when the slot does not hold an unpacked entry. */
  tags: (readonly string[] | undefined)[] = []
  #createdAt = new Float64Array(0)
  #freshUntil = new Float64Array(0)
  #staleUntil = new Float64Array(0)
  /** Allocated on the first entry with a `loadTime`; `NaN` marks an entry without one. */
  #loadTime: Float64Array | undefined
  #capacity = 0

  constructor(slots: Slots<unknown>) {
    slots.onGrow((capacity) => this.#resize(capacity))
  }

  /** Whether `value` is a plain cache entry these columns can hold without losing anything. */
  static fits(value: unknown): value is CacheEntry {
    if (typeof value !== 'object' || value === null) return false
    if (Object.getPrototypeOf(value) !== Object.prototype) return false
    const entry = value as Record<string, unknown>
    const fields = Object.keys(entry).length
    if (fields !== 5 && fields !== 6) return false
    for (const key of ENTRY_KEYS) if (!Object.hasOwn(entry, key)) return false
    if (fields === 6 && typeof entry.loadTime !== 'number') return false
    return (
      typeof entry.createdAt === 'number' &&
      typeof entry.freshUntil === 'number' &&
      typeof entry.staleUntil === 'number' &&
      Array.isArray(entry.tags)
    )
  }

  /** Stores `entry`'s lifetime and tags in `slot` (its value goes in the `values` column). */
  pack(slot: number, entry: CacheEntry): void {
    this.tags[slot] = entry.tags
    this.#createdAt[slot] = entry.createdAt
    this.#freshUntil[slot] = entry.freshUntil
    this.#staleUntil[slot] = entry.staleUntil
    const { loadTime } = entry
    if (loadTime !== undefined) {
      this.#loadTime ??= new Float64Array(this.#capacity).fill(Number.NaN)
      this.#loadTime[slot] = loadTime
    } else if (this.#loadTime !== undefined) {
      this.#loadTime[slot] = Number.NaN
    }
  }

  /** Rebuilds the entry held in `slot` around `value`. */
  unpack(slot: number, value: unknown): CacheEntry {
    const createdAt = this.#createdAt[slot] as number
    const freshUntil = this.#freshUntil[slot] as number
    const staleUntil = this.#staleUntil[slot] as number
    const tags = this.tags[slot] as readonly string[]
    const loadTime = this.#loadTime?.[slot]
    return loadTime === undefined || Number.isNaN(loadTime)
      ? { value, createdAt, freshUntil, staleUntil, tags }
      : { value, createdAt, freshUntil, staleUntil, tags, loadTime }
  }

  /** Whether the entry in `slot` has exactly `entry`'s fields (so an overwrite is no change). */
  holds(slot: number, value: unknown, entry: CacheEntry): boolean {
    const loadTime = this.#loadTime?.[slot]
    return (
      value === entry.value &&
      this.tags[slot] === entry.tags &&
      this.#createdAt[slot] === entry.createdAt &&
      this.#freshUntil[slot] === entry.freshUntil &&
      this.#staleUntil[slot] === entry.staleUntil &&
      (loadTime === undefined || Number.isNaN(loadTime)
        ? entry.loadTime === undefined
        : loadTime === entry.loadTime)
    )
  }

  /** Marks `slot` as not holding an unpacked entry and drops its tags reference. */
  unset(slot: number): void {
    this.tags[slot] = undefined
  }

  /** Forgets every entry. */
  reset(): void {
    this.tags.fill(undefined)
  }

  #resize(capacity: number): void {
    this.#capacity = capacity
    this.tags = resizeArray(this.tags, capacity)
    this.#createdAt = resizeFloat64(this.#createdAt, capacity)
    this.#freshUntil = resizeFloat64(this.#freshUntil, capacity)
    this.#staleUntil = resizeFloat64(this.#staleUntil, capacity)
    if (this.#loadTime !== undefined) {
      const grown = new Float64Array(capacity).fill(Number.NaN)
      grown.set(this.#loadTime)
      this.#loadTime = grown
    }
  }
}

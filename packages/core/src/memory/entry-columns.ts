import type { CacheEntry } from '../entry.js'
import { resizeArray, resizeFloat64, type Slots } from './slots.js'

const ENTRY_KEYS = ['value', 'createdAt', 'freshUntil', 'staleUntil', 'tags'] as const
/** Rebuilt entries kept for reuse, direct-mapped by slot: at most this many objects. */
const REBUILT_CELLS = 1024

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
 *
 * A rebuilt entry is kept in one of 1,024 cells (by slot number) until its slot changes,
 * so repeated hits on a hot key return the same object instead of allocating one each
 * time: the hit path of a cache allocates nothing, for a bounded ~130 kB per tier.
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
  /** Which slot each cell's rebuilt entry belongs to (-1: none). */
  readonly #rebuiltSlot = new Int32Array(REBUILT_CELLS).fill(-1)
  readonly #rebuilt: (CacheEntry | undefined)[] = new Array(REBUILT_CELLS).fill(undefined)

  constructor(slots: Slots<unknown>) {
    slots.onGrow((capacity) => this.#resize(capacity))
  }

  /** Whether `value` is a plain cache entry these columns can hold without losing anything. */
  static fits(value: unknown): value is CacheEntry {
    if (typeof value !== 'object' || value === null) return false
    const entry = value as Record<string, unknown>
    // Cheap rejections first: most values are not entries, and Object.keys allocates.
    if (
      typeof entry.staleUntil !== 'number' ||
      typeof entry.freshUntil !== 'number' ||
      typeof entry.createdAt !== 'number' ||
      !Array.isArray(entry.tags) ||
      Object.getPrototypeOf(value) !== Object.prototype
    ) {
      return false
    }
    const fields = Object.keys(entry).length
    if (fields !== 5 && fields !== 6) return false
    for (const key of ENTRY_KEYS) if (!Object.hasOwn(entry, key)) return false
    return fields === 5 || typeof entry.loadTime === 'number'
  }

  /** Stores `entry`'s lifetime and tags in `slot` (its value goes in the `values` column). */
  pack(slot: number, entry: CacheEntry): void {
    this.#forget(slot)
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

  /** The entry held in `slot` (its value is `value`): rebuilt, or reused from a recent read. */
  unpack(slot: number, value: unknown): CacheEntry {
    const cell = slot & (REBUILT_CELLS - 1)
    if (this.#rebuiltSlot[cell] === slot) return this.#rebuilt[cell] as CacheEntry
    const entry = this.#rebuild(slot, value)
    this.#rebuiltSlot[cell] = slot
    this.#rebuilt[cell] = entry
    return entry
  }

  #rebuild(slot: number, value: unknown): CacheEntry {
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
    this.#forget(slot)
    this.tags[slot] = undefined
  }

  /** Forgets every entry. */
  reset(): void {
    this.tags.fill(undefined)
    this.#rebuiltSlot.fill(-1)
    this.#rebuilt.fill(undefined)
  }

  /** Drops the rebuilt entry of `slot`, whose contents are changing. */
  #forget(slot: number): void {
    const cell = slot & (REBUILT_CELLS - 1)
    if (this.#rebuiltSlot[cell] === slot) {
      this.#rebuiltSlot[cell] = -1
      this.#rebuilt[cell] = undefined
    }
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

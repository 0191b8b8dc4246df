import { EntryColumns } from './entry-columns.js'
import type { Slots } from './slots.js'

/**
 * What a slot of a memory tier holds: the caller's value as is, or a cache entry
 * unpacked into {@link EntryColumns} (its value in the slots' `values` column, the rest
 * in typed columns). The columns are created on the first cache entry stored, so a tier
 * that never holds one pays nothing.
 */
export class SlotValues<V> {
  readonly #slots: Slots<V>
  /** Unpacked cache entries; created on the first one stored. */
  #entries: EntryColumns | undefined

  constructor(slots: Slots<V>) {
    this.#slots = slots
  }

  /** The value held in `slot`, rebuilt when it is an unpacked entry. */
  get(slot: number): V {
    const value = this.#slots.values[slot] as V
    const entries = this.#entries
    if (entries === undefined || entries.tags[slot] === undefined) return value
    return entries.unpack(slot, value) as V
  }

  /** Puts `value` in `slot`, unpacked into the entry columns when it is a cache entry. */
  put(slot: number, value: V): void {
    if (EntryColumns.fits(value)) {
      this.#entries ??= new EntryColumns(this.#slots as Slots<unknown>)
      this.#entries.pack(slot, value)
      this.#slots.values[slot] = value.value as V
    } else {
      this.#entries?.unset(slot)
      this.#slots.values[slot] = value
    }
  }

  /** Whether `slot` already holds `value` (so overwriting it is not a replacement). */
  holds(slot: number, value: V): boolean {
    const stored = this.#slots.values[slot]
    const entries = this.#entries
    if (entries === undefined || entries.tags[slot] === undefined) return stored === value
    return EntryColumns.fits(value) && entries.holds(slot, stored, value)
  }

  /** Forgets the entry columns of `slot` (its value cell is the slots' to release). */
  unset(slot: number): void {
    this.#entries?.unset(slot)
  }

  /** Forgets every slot's entry columns. */
  reset(): void {
    this.#entries?.reset()
  }
}

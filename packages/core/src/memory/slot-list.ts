import { NONE, type Slots } from './slots.js'

/**
 * An intrusive doubly linked list of slots, threaded through the shared `prev`/`next`
 * columns of {@link Slots}: head is the oldest, tail the newest. A slot is in at most
 * one list at a time.
 */
export class SlotList {
  head = NONE
  tail = NONE
  length = 0
  readonly #slots: Slots<unknown>

  constructor(slots: Slots<unknown>) {
    this.#slots = slots
  }

  push(slot: number): void {
    const { prev, next } = this.#slots
    const tail = this.tail
    prev[slot] = tail
    next[slot] = NONE
    if (tail === NONE) this.head = slot
    else next[tail] = slot
    this.tail = slot
    this.length++
  }

  remove(slot: number): void {
    const { prev, next } = this.#slots
    const before = prev[slot] as number
    const after = next[slot] as number
    if (before === NONE) this.head = after
    else next[before] = after
    if (after === NONE) this.tail = before
    else prev[after] = before
    prev[slot] = NONE
    next[slot] = NONE
    this.length--
  }

  moveToTail(slot: number): void {
    const tail = this.tail
    if (slot === tail) return
    const { prev, next } = this.#slots
    const before = prev[slot] as number
    const after = next[slot] as number
    if (before === NONE) this.head = after
    else next[before] = after
    prev[after] = before
    prev[slot] = tail
    next[slot] = NONE
    next[tail] = slot
    this.tail = slot
  }

  /** The slot after `slot` in list order, or NONE. */
  after(slot: number): number {
    return this.#slots.next[slot] as number
  }

  clear(): void {
    this.head = NONE
    this.tail = NONE
    this.length = 0
  }
}

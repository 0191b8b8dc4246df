import { SlotList } from '../slot-list.js'
import { NONE, resizeUint8, type Slots } from '../slots.js'
import type { EvictionPolicy } from './policy.js'

/** Use counts saturate here; entries at the cap are ordered by recency among themselves. */
const MAX_USES = 255

/**
 * Least frequently used, in O(1): one list per use count (1 to 255), each ordered by
 * recency, so the victim is the least recently used of the least used entries. Counts
 * live only while the entry is cached (one byte per slot) and never decay, so LFU suits
 * stable popularity and is slow to forget a formerly hot key.
 */
export class LfuPolicy implements EvictionPolicy {
  readonly #lists: SlotList[]
  #uses = new Uint8Array(0)
  /** A lower bound of the smallest use count present; victim() raises it lazily. */
  #minUses = 1

  constructor(slots: Slots<unknown>) {
    this.#lists = Array.from({ length: MAX_USES + 1 }, () => new SlotList(slots))
    slots.onGrow((capacity) => {
      this.#uses = resizeUint8(this.#uses, capacity)
    })
  }

  insert(slot: number): void {
    this.#uses[slot] = 1
    this.#list(1).push(slot)
    this.#minUses = 1
  }

  touch(slot: number): void {
    const uses = this.#uses[slot] as number
    if (uses === MAX_USES) {
      this.#list(uses).moveToTail(slot)
      return
    }
    this.#list(uses).remove(slot)
    this.#list(uses + 1).push(slot)
    this.#uses[slot] = uses + 1
  }

  update(slot: number): void {
    this.touch(slot)
  }

  remove(slot: number): void {
    this.#list(this.#uses[slot] as number).remove(slot)
  }

  victim(keep: number): number {
    for (let uses = this.#minUses; uses <= MAX_USES; uses++) {
      const list = this.#list(uses)
      const head = list.head
      if (head === NONE) {
        if (uses === this.#minUses) this.#minUses++
        continue
      }
      if (head !== keep) return head
      const after = list.after(keep)
      if (after !== NONE) return after
    }
    return NONE
  }

  clear(): void {
    for (const list of this.#lists) list.clear()
    this.#minUses = 1
  }

  #list(uses: number): SlotList {
    return this.#lists[uses] as SlotList
  }
}

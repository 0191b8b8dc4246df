import { SlotList } from '../slot-list.js'
import type { Slots } from '../slots.js'
import type { EvictionPolicy } from './policy.js'

/**
 * First in, first out: entries leave in insertion order. Hits cost nothing, and an
 * overwrite keeps the entry's original place in the queue.
 */
export class FifoPolicy implements EvictionPolicy {
  readonly #list: SlotList

  constructor(slots: Slots<unknown>) {
    this.#list = new SlotList(slots)
  }

  insert(slot: number): void {
    this.#list.push(slot)
  }

  touch(): void {}

  update(): void {}

  remove(slot: number): void {
    this.#list.remove(slot)
  }

  victim(keep: number): number {
    const head = this.#list.head
    return head === keep ? this.#list.after(keep) : head
  }

  clear(): void {
    this.#list.clear()
  }
}

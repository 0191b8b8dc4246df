import { SlotList } from '../slot-list.js'
import type { Slots } from '../slots.js'
import type { EvictionPolicy } from './policy.js'

/** Least recently used: every hit or overwrite moves the entry to the back of one list. */
export class LruPolicy implements EvictionPolicy {
  readonly #list: SlotList

  constructor(slots: Slots<unknown>) {
    this.#list = new SlotList(slots)
  }

  insert(slot: number): void {
    this.#list.push(slot)
  }

  touch(slot: number): void {
    this.#list.moveToTail(slot)
  }

  update(slot: number): void {
    this.#list.moveToTail(slot)
  }

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

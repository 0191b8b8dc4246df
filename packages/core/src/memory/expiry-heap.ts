import { NONE, resizeInt32, type Slots } from './slots.js'

/**
 * A binary min-heap of the slots that expire, ordered by their `expiresAt` column. Each
 * slot's position is kept in the `heapIndex` column, so a removal or a changed expiry
 * costs O(log n) and nothing is left behind: the heap never holds more slots than the
 * tier does. The heap itself is an `Int32Array` of slots (4 bytes per expiring entry).
 */
export class ExpiryHeap {
  #heap = new Int32Array(0)
  #size = 0
  readonly #slots: Slots<unknown>

  constructor(slots: Slots<unknown>) {
    this.#slots = slots
    slots.onGrow((capacity) => {
      this.#heap = resizeInt32(this.#heap, capacity)
    })
  }

  get size(): number {
    return this.#size
  }

  /** The slot that expires first, or NONE. */
  peek(): number {
    return this.#size === 0 ? NONE : (this.#heap[0] as number)
  }

  push(slot: number): void {
    const index = this.#size++
    this.#place(slot, index)
    this.#siftUp(slot)
  }

  remove(slot: number): void {
    const heapIndex = this.#slots.heapIndex
    const index = heapIndex[slot] as number
    const last = this.#heap[--this.#size] as number
    heapIndex[slot] = NONE
    if (last === slot) return
    this.#place(last, index)
    this.reschedule(last)
  }

  /** Restores the order after the slot's expiry changed. */
  reschedule(slot: number): void {
    this.#siftUp(slot)
    this.#siftDown(slot)
  }

  clear(): void {
    const heapIndex = this.#slots.heapIndex
    for (let index = 0; index < this.#size; index++) heapIndex[this.#heap[index] as number] = NONE
    this.#size = 0
  }

  #place(slot: number, index: number): void {
    this.#heap[index] = slot
    this.#slots.heapIndex[slot] = index
  }

  #siftUp(slot: number): void {
    const heap = this.#heap
    const expiresAt = this.#slots.expiresAt
    const expiry = expiresAt[slot] as number
    let index = this.#slots.heapIndex[slot] as number
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1
      const parent = heap[parentIndex] as number
      if ((expiresAt[parent] as number) <= expiry) break
      this.#place(parent, index)
      index = parentIndex
    }
    this.#place(slot, index)
  }

  #siftDown(slot: number): void {
    const heap = this.#heap
    const expiresAt = this.#slots.expiresAt
    const expiry = expiresAt[slot] as number
    const size = this.#size
    let index = this.#slots.heapIndex[slot] as number
    for (;;) {
      let child = 2 * index + 1
      if (child >= size) break
      const right = child + 1
      if (
        right < size &&
        (expiresAt[heap[right] as number] as number) < (expiresAt[heap[child] as number] as number)
      ) {
        child = right
      }
      const smallest = heap[child] as number
      if ((expiresAt[smallest] as number) >= expiry) break
      this.#place(smallest, index)
      index = child
    }
    this.#place(slot, index)
  }
}

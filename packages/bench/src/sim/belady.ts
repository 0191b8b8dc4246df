import type { Trace } from './traces.js'

/**
 * Hits of Belady's optimal policy (MIN) on `trace` with room for `capacity` keys: on a
 * miss with a full cache it evicts the key whose next request is farthest away, and it
 * does not admit a key requested later than everything cached (or never again) —
 * the offline ceiling no online policy can beat. With `admitAlways` every missed key
 * is admitted (evicting the farthest), the ceiling of a cache that must store what it
 * fetched.
 *
 * Runs in O(n log capacity) with an indexed max-heap on next-request positions.
 */
export function beladyHits(trace: Trace, capacity: number, admitAlways = false): number {
  const { requests, idSpace } = trace
  const length = requests.length
  const nextUse = nextUsePositions(requests, idSpace)
  const heap = new IndexedMaxHeap(idSpace, capacity)
  let hits = 0
  for (let index = 0; index < length; index++) {
    const id = requests[index] as number
    const next = nextUse[index] as number
    if (heap.contains(id)) {
      hits++
      heap.update(id, next)
    } else if (heap.size < capacity) {
      if (next < length || admitAlways) heap.insert(id, next)
    } else if (admitAlways || next < heap.maxPriority()) {
      heap.popMax()
      heap.insert(id, next)
    }
  }
  return hits
}

/** For each request, the position of the same key's next request, or `length` if none. */
function nextUsePositions(requests: Int32Array, idSpace: number): Int32Array {
  const length = requests.length
  const nextUse = new Int32Array(length)
  const seenAt = new Int32Array(idSpace).fill(length)
  for (let index = length - 1; index >= 0; index--) {
    const id = requests[index] as number
    nextUse[index] = seenAt[id] as number
    seenAt[id] = index
  }
  return nextUse
}

/** A max-heap of ids keyed by an integer priority, with O(log n) update by id. */
class IndexedMaxHeap {
  readonly #ids: Int32Array
  readonly #priorities: Int32Array
  readonly #positions: Int32Array
  size = 0

  constructor(idSpace: number, capacity: number) {
    this.#ids = new Int32Array(capacity)
    this.#priorities = new Int32Array(idSpace)
    this.#positions = new Int32Array(idSpace).fill(-1)
  }

  contains(id: number): boolean {
    return (this.#positions[id] as number) !== -1
  }

  maxPriority(): number {
    return this.#priorities[this.#ids[0] as number] as number
  }

  insert(id: number, priority: number): void {
    this.#priorities[id] = priority
    this.#place(id, this.size++)
    this.#siftUp(id)
  }

  update(id: number, priority: number): void {
    const previous = this.#priorities[id] as number
    this.#priorities[id] = priority
    if (priority > previous) this.#siftUp(id)
    else this.#siftDown(id)
  }

  popMax(): void {
    const top = this.#ids[0] as number
    this.#positions[top] = -1
    this.size--
    if (this.size === 0) return
    const last = this.#ids[this.size] as number
    this.#place(last, 0)
    this.#siftDown(last)
  }

  #place(id: number, position: number): void {
    this.#ids[position] = id
    this.#positions[id] = position
  }

  #siftUp(id: number): void {
    const priority = this.#priorities[id] as number
    let position = this.#positions[id] as number
    while (position > 0) {
      const parentPosition = (position - 1) >>> 1
      const parent = this.#ids[parentPosition] as number
      if ((this.#priorities[parent] as number) >= priority) break
      this.#place(parent, position)
      position = parentPosition
    }
    this.#place(id, position)
  }

  #siftDown(id: number): void {
    const priority = this.#priorities[id] as number
    let position = this.#positions[id] as number
    for (;;) {
      let child = 2 * position + 1
      if (child >= this.size) break
      const right = child + 1
      if (
        right < this.size &&
        (this.#priorities[this.#ids[right] as number] as number) >
          (this.#priorities[this.#ids[child] as number] as number)
      ) {
        child = right
      }
      const childId = this.#ids[child] as number
      if ((this.#priorities[childId] as number) <= priority) break
      this.#place(childId, position)
      position = child
    }
    this.#place(id, position)
  }
}

/** The expiry of an entry that never expires. */
export const NEVER = Number.POSITIVE_INFINITY
/** "No slot": the end of a list, or a slot outside the expiry heap. */
export const NONE = -1

const FIRST_CAPACITY = 16

/**
 * The memory tier's entries as a structure of arrays: entry `i` is slot `i` of every
 * column, so an entry costs a few array cells instead of an object with its own header,
 * and timestamps are unboxed doubles in a `Float64Array`. Freed slots are reused (a free
 * list threaded through `next`), and the columns grow by doubling up to `limit` slots,
 * so a full tier holds no spare capacity.
 *
 * Columns: `keys` and `values` (plain arrays), `expiresAt` (epoch ms, `Infinity` for
 * never), `prev`/`next` (the policy's list links), `heapIndex` (position in the expiry
 * heap or {@link NONE}), and `bytes` when the tier measures sizes. Policies and the
 * packed-entry columns register a `grow` callback to size their own columns alike.
 */
export class Slots<V> {
  keys: (string | undefined)[] = []
  values: (V | undefined)[] = []
  expiresAt = new Float64Array(0)
  prev = new Int32Array(0)
  next = new Int32Array(0)
  heapIndex = new Int32Array(0)
  bytes: Float64Array | undefined
  #capacity = 0
  /** Slots handed out so far; slots at or above it were never used. */
  #used = 0
  #freeHead = NONE
  readonly #limit: number
  readonly #growers: ((capacity: number) => void)[] = []

  /** `limit`: most slots ever needed at once; `measured`: keep a `bytes` column. */
  constructor(limit: number, measured: boolean) {
    this.#limit = limit
    if (measured) this.bytes = new Float64Array(0)
  }

  get capacity(): number {
    return this.#capacity
  }

  /** Calls `grow(capacity)` now and whenever the columns grow. */
  onGrow(grow: (capacity: number) => void): void {
    this.#growers.push(grow)
    grow(this.#capacity)
  }

  /** A slot for a new entry, with its key, value and expiry set and its links cleared. */
  allocate(key: string, value: V, expiresAt: number): number {
    let slot = this.#freeHead
    if (slot !== NONE) {
      this.#freeHead = this.next[slot] as number
    } else {
      if (this.#used === this.#capacity) this.#grow()
      slot = this.#used++
    }
    this.keys[slot] = key
    this.values[slot] = value
    this.expiresAt[slot] = expiresAt
    this.prev[slot] = NONE
    this.next[slot] = NONE
    this.heapIndex[slot] = NONE
    return slot
  }

  /** Returns `slot` to the free list and drops its references so they can be collected. */
  release(slot: number): void {
    this.keys[slot] = undefined
    this.values[slot] = undefined
    this.next[slot] = this.#freeHead
    this.#freeHead = slot
  }

  /** Forgets every entry (the columns keep their capacity). */
  reset(): void {
    this.keys.fill(undefined)
    this.values.fill(undefined)
    this.#used = 0
    this.#freeHead = NONE
  }

  #grow(): void {
    const capacity = Math.min(Math.max(FIRST_CAPACITY, this.#capacity * 2), this.#limit)
    this.keys = resizeArray(this.keys, capacity)
    this.values = resizeArray(this.values, capacity)
    this.expiresAt = resizeFloat64(this.expiresAt, capacity)
    this.prev = resizeInt32(this.prev, capacity)
    this.next = resizeInt32(this.next, capacity)
    this.heapIndex = resizeInt32(this.heapIndex, capacity)
    if (this.bytes !== undefined) this.bytes = resizeFloat64(this.bytes, capacity)
    this.#capacity = capacity
    for (const grow of this.#growers) grow(capacity)
  }
}

/** A copy of `array` with `capacity` cells (holes filled with `undefined`). */
export function resizeArray<T>(array: (T | undefined)[], capacity: number): (T | undefined)[] {
  // fill() makes a packed array of exactly `capacity` cells; push-growth would leave slack.
  const resized = new Array<T | undefined>(capacity).fill(undefined)
  for (let index = 0; index < array.length; index++) resized[index] = array[index]
  return resized
}

export function resizeInt32(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const resized = new Int32Array(capacity)
  resized.set(array)
  return resized
}

export function resizeUint32(array: Uint32Array, capacity: number): Uint32Array<ArrayBuffer> {
  const resized = new Uint32Array(capacity)
  resized.set(array)
  return resized
}

export function resizeUint8(array: Uint8Array, capacity: number): Uint8Array<ArrayBuffer> {
  const resized = new Uint8Array(capacity)
  resized.set(array)
  return resized
}

export function resizeFloat64(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const resized = new Float64Array(capacity)
  resized.set(array)
  return resized
}

const ROWS = 4
const MAX_COUNT = 15

/**
 * A count-min sketch of 4-bit counters estimating how often each key hash was seen
 * recently: the "TinyLFU" in W-TinyLFU.
 *
 * Four rows of `width` counters; a hash picks one counter per row by double hashing.
 * Increments are conservative (only the counters at the current minimum grow), and
 * after `10 * capacity` increments every counter is halved, so the sketch forgets old
 * popularity and follows a changing workload.
 */
export class FrequencySketch {
  readonly #table: Uint8Array
  readonly #mask: number
  readonly #width: number
  readonly #sampleSize: number
  #additions = 0

  constructor(capacity: number) {
    const width = nextPowerOfTwo(Math.max(16, Math.min(capacity, 1 << 24)))
    this.#width = width
    this.#mask = width - 1
    this.#table = new Uint8Array(width * ROWS)
    this.#sampleSize = 10 * Math.max(capacity, 1)
  }

  /** Estimated recent frequency of `hash`, 0 to 15. */
  frequency(hash: number): number {
    const table = this.#table
    const step = secondHash(hash)
    let min = MAX_COUNT
    for (let row = 0; row < ROWS; row++) {
      const count = table[this.#index(hash, step, row)] as number
      if (count < min) min = count
    }
    return min
  }

  /** Records one occurrence of `hash`. */
  increment(hash: number): void {
    const table = this.#table
    const step = secondHash(hash)
    const i0 = this.#index(hash, step, 0)
    const i1 = this.#index(hash, step, 1)
    const i2 = this.#index(hash, step, 2)
    const i3 = this.#index(hash, step, 3)
    const c0 = table[i0] as number
    const c1 = table[i1] as number
    const c2 = table[i2] as number
    const c3 = table[i3] as number
    const min = Math.min(c0, c1, c2, c3)
    if (min === MAX_COUNT) return
    if (c0 === min) table[i0] = min + 1
    if (c1 === min) table[i1] = min + 1
    if (c2 === min) table[i2] = min + 1
    if (c3 === min) table[i3] = min + 1
    if (++this.#additions >= this.#sampleSize) this.#age()
  }

  clear(): void {
    this.#table.fill(0)
    this.#additions = 0
  }

  #index(hash: number, step: number, row: number): number {
    return row * this.#width + ((hash + row * step) & this.#mask)
  }

  #age(): void {
    const table = this.#table
    for (let index = 0; index < table.length; index++) table[index] = (table[index] as number) >>> 1
    this.#additions = this.#additions >>> 1
  }
}

/** An odd step derived from the hash, so the rows' counters are independent. */
function secondHash(hash: number): number {
  return (Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 8) | 1
}

function nextPowerOfTwo(value: number): number {
  return 2 ** Math.ceil(Math.log2(value))
}

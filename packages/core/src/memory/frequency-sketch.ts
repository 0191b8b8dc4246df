const MAX_COUNT = 15
/** 32-bit words per 64-byte block: one cache line holds all four counters of a key. */
const BLOCK_WORDS = 16
/** Words per entry of capacity: 2 words = 16 four-bit counters, as many as Caffeine keeps. */
const WORDS_PER_ENTRY = 2
/** Increments between two halvings, per entry of capacity, as in Caffeine. */
const SAMPLE_PER_ENTRY = 10
/** Odd multiplier whose product's high bits, which depend on every bit of the hash, pick the counters in a block. */
const SPREAD = 0x9e3779b1
/** Largest table: 16 MiB of counters. */
const MAX_WORDS = 1 << 22
/** Halves every 4-bit counter of a word at once. */
const HALF_MASK = 0x77777777

/**
 * A count-min sketch of 4-bit counters estimating how often each key hash was seen
 * recently: the "TinyLFU" in W-TinyLFU. 8 bytes per entry of capacity.
 *
 * The table is split into 64-byte blocks, each four rows of 32 counters. A hash picks
 * one block, then one counter in each row, so an update touches a single cache line.
 * Increments are standard (all four counters grow, up to 15): measured on the published
 * traces, conservative updates (only the minimum grows) made keys of a loop look
 * equally frequent and results swing with the hash seed. After `10 * capacity`
 * increments every counter is halved, so the sketch forgets old popularity.
 */
export class FrequencySketch {
  readonly #table: Uint32Array
  readonly #blockMask: number
  readonly #sampleSize: number
  #additions = 0
  #epoch = 0
  /**
   * 1 to 255, changes with every halving or clear (`epoch % 255 + 1`): what a policy keeps
   * in a byte column to remember that a key's count saturated in this epoch.
   */
  epochTag = 1

  constructor(capacity: number) {
    const words = nextPowerOfTwo(
      Math.max(BLOCK_WORDS, Math.min(capacity * WORDS_PER_ENTRY, MAX_WORDS)),
    )
    this.#table = new Uint32Array(words)
    this.#blockMask = words / BLOCK_WORDS - 1
    this.#sampleSize = SAMPLE_PER_ENTRY * capacity
  }

  /** Increments per halving. */
  get sampleSize(): number {
    return this.#sampleSize
  }

  /**
   * Counts one halving (or clear) after another. Counters only grow within an epoch, so a
   * hash found saturated stays saturated, and its increments are no-ops, until it changes.
   */
  get epoch(): number {
    return this.#epoch
  }

  /** Estimated recent frequency of `hash`, 0 to 15. */
  frequency(hash: number): number {
    const table = this.#table
    const block = (hash & this.#blockMask) * BLOCK_WORDS
    const spread = Math.imul(hash, SPREAD)
    return Math.min(
      counter(table, block, (spread >>> 12) & 31),
      counter(table, block + 4, (spread >>> 17) & 31),
      counter(table, block + 8, (spread >>> 22) & 31),
      counter(table, block + 12, spread >>> 27),
    )
  }

  /** Records one occurrence of `hash`; `true` when its count is now at the cap. */
  increment(hash: number): boolean {
    const table = this.#table
    const block = (hash & this.#blockMask) * BLOCK_WORDS
    const spread = Math.imul(hash, SPREAD)
    // Each row is its own 4 words, so the four counters never share a word.
    const a = (spread >>> 12) & 31
    const b = (spread >>> 17) & 31
    const c = (spread >>> 22) & 31
    const d = spread >>> 27
    const wa = block + (a >>> 3)
    const wb = block + 4 + (b >>> 3)
    const wc = block + 8 + (c >>> 3)
    const wd = block + 12 + (d >>> 3)
    const sa = (a & 7) << 2
    const sb = (b & 7) << 2
    const sc = (c & 7) << 2
    const sd = (d & 7) << 2
    const va = ((table[wa] as number) >>> sa) & MAX_COUNT
    const vb = ((table[wb] as number) >>> sb) & MAX_COUNT
    const vc = ((table[wc] as number) >>> sc) & MAX_COUNT
    const vd = ((table[wd] as number) >>> sd) & MAX_COUNT
    const min = Math.min(va, vb, vc, vd)
    // A saturated key changes nothing, so it does not count towards the next halving.
    if (min === MAX_COUNT) return true
    if (va !== MAX_COUNT) table[wa] = (table[wa] as number) + (1 << sa)
    if (vb !== MAX_COUNT) table[wb] = (table[wb] as number) + (1 << sb)
    if (vc !== MAX_COUNT) table[wc] = (table[wc] as number) + (1 << sc)
    if (vd !== MAX_COUNT) table[wd] = (table[wd] as number) + (1 << sd)
    if (++this.#additions < this.#sampleSize) return min + 1 === MAX_COUNT
    this.#age()
    return false
  }

  clear(): void {
    this.#table.fill(0)
    this.#additions = 0
    this.#nextEpoch()
  }

  #nextEpoch(): void {
    this.#epoch++
    this.epochTag = (this.#epoch % 255) + 1
  }

  #age(): void {
    const table = this.#table
    for (let index = 0; index < table.length; index++) {
      table[index] = ((table[index] as number) >>> 1) & HALF_MASK
    }
    this.#additions = this.#additions >>> 1
    this.#nextEpoch()
  }
}

/** The 4-bit counter `index` (0-31) of the row starting at word `row`. */
function counter(table: Uint32Array, row: number, index: number): number {
  return ((table[row + (index >>> 3)] as number) >>> ((index & 7) << 2)) & MAX_COUNT
}

function nextPowerOfTwo(value: number): number {
  return 2 ** Math.ceil(Math.log2(value))
}

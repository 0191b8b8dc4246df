import { FrequencySketch } from '../frequency-sketch.js'
import { SlotList } from '../slot-list.js'
import { NONE, resizeInt32, resizeUint8, type Slots } from '../slots.js'
import { hashString } from '../string-hash.js'
import { MAIN_GHOST, WINDOW_GHOST } from './ghost-table.js'
import type { EvictionPolicy } from './policy.js'
import { WindowAdapter } from './window-adapter.js'

const WINDOW = 0
const PROBATION = 1
const PROTECTED = 2

/** Starting share of the capacity given to the admission window. */
const WINDOW_SHARE = 0.01
/** Share of the main space kept for entries hit at least twice. */
const PROTECTED_SHARE = 0.8
/** Candidates at least this warm win a lost duel 1 time in 128 (defeats hash flooding). */
const WARM_CANDIDATE = 6

/**
 * W-TinyLFU, the scan-resistant policy of Caffeine, written from its papers:
 *
 * - new entries enter an LRU **window**;
 * - an entry pushed out of the window becomes a **candidate** for the main space, a
 *   segmented LRU of **probation** (entries seen once there) and **protected**
 *   (entries hit again while in probation, 80% of the main space);
 * - when room is needed the candidate duels the probation LRU entry: the one a
 *   count-min {@link FrequencySketch} says was used more often recently stays;
 * - a {@link WindowAdapter} resizes the window (starting at 1% of the capacity, up to
 *   all of it) from the misses on keys each side recently lost: a large window serves
 *   recency-heavy workloads, a small one frequency-heavy ones.
 *
 * Inserts, and hits and overwrites in the window and probation, count in the sketch;
 * hits on protected entries do not (unlike Caffeine): measured, this gains on the
 * synthetic traces and keeps the sketch off most hits. Per entry the policy keeps a key
 * hash (computed once, on insert), its segment and the sketch epoch in which its count
 * saturated (such keys skip the sketch until the next halving) and the request number of
 * its last use: 10 bytes in typed columns, plus 8 bytes of sketch and 6 of ghosts.
 */
export class TinyLfuPolicy implements EvictionPolicy {
  readonly #slots: Slots<unknown>
  readonly #window: SlotList
  readonly #probation: SlotList
  readonly #protected: SlotList
  readonly #sketch: FrequencySketch
  readonly #adapter: WindowAdapter
  /** Requests seen (hits and inserts): the clock of last uses. */
  #requests = 0
  readonly #maximum: number
  #windowMax: number
  #protectedMax: number
  #hashes = new Int32Array(0)
  #segments = new Uint8Array(0)
  /** The sketch's `epochTag` when the count saturated, or 0. */
  #saturatedIn = new Uint8Array(0)
  /** Request number of the entry's last use, for the age of its ghost. */
  #lastUse = new Int32Array(0)
  /** First window entry moved to probation by the current write, until it is settled. */
  #candidate = NONE
  /** xorshift32 state for the rare random admission; fixed seed keeps runs reproducible. */
  #random = 0x9e3779b9

  constructor(maxEntries: number, slots: Slots<unknown>) {
    this.#slots = slots
    this.#window = new SlotList(slots)
    this.#probation = new SlotList(slots)
    this.#protected = new SlotList(slots)
    this.#maximum = maxEntries
    this.#windowMax = Math.max(1, Math.round(maxEntries * WINDOW_SHARE))
    this.#protectedMax = this.#mainProtectedMax()
    this.#sketch = new FrequencySketch(maxEntries)
    this.#adapter = new WindowAdapter(maxEntries)
    slots.onGrow((capacity) => {
      this.#hashes = resizeInt32(this.#hashes, capacity)
      this.#segments = resizeUint8(this.#segments, capacity)
      this.#saturatedIn = resizeUint8(this.#saturatedIn, capacity)
      this.#lastUse = resizeInt32(this.#lastUse, capacity)
    })
  }

  /** The window's current target size (for tests and the docs' figures). */
  get windowSize(): number {
    return this.#windowMax
  }

  insert(slot: number): void {
    this.#hashes[slot] = hashString(this.#slots.keys[slot] as string)
    this.#saturatedIn[slot] = 0
    this.#countUse(slot)
    this.#lastUse[slot] = ++this.#requests
    this.#resizeWindow(
      this.#adapter.inserted(this.#hashes[slot] as number, this.#windowMax, this.#requests),
    )
    this.#segments[slot] = WINDOW
    this.#window.push(slot)
    this.#candidate = NONE
    while (this.#window.length > this.#windowMax) {
      const moved = this.#window.head
      this.#window.remove(moved)
      this.#segments[moved] = PROBATION
      this.#probation.push(moved)
      if (this.#candidate === NONE) this.#candidate = moved
    }
  }

  touch(slot: number): void {
    this.#lastUse[slot] = ++this.#requests
    switch (this.#segments[slot]) {
      case PROTECTED:
        this.#protected.moveToTail(slot)
        return
      case WINDOW:
        this.#countUse(slot)
        this.#window.moveToTail(slot)
        return
      default:
        this.#countUse(slot)
        this.#promote(slot)
    }
  }

  update(slot: number): void {
    this.#candidate = NONE
    this.touch(slot)
  }

  remove(slot: number): void {
    if (slot === this.#candidate) this.#candidate = this.#probation.after(slot)
    this.#segment(this.#segments[slot] as number).remove(slot)
  }

  victim(keep: number): number {
    let candidate = this.#candidate
    if (candidate === keep) candidate = this.#candidate = this.#probation.after(keep)
    let incumbent = skip(this.#probation, keep)
    if (incumbent === candidate) incumbent = NONE
    if (incumbent === NONE) incumbent = skip(this.#protected, keep)
    // No main entry to duel (the window has grown to the whole cache): evict as LRU does.
    if (candidate === NONE && incumbent === NONE) return skip(this.#window, keep)
    if (candidate === NONE || incumbent === NONE) return incumbent === NONE ? candidate : incumbent
    const admitted = this.#admits(candidate, incumbent)
    const loser = admitted ? incumbent : candidate
    this.#adapter.lost(
      this.#hashes[loser] as number,
      admitted ? MAIN_GHOST : WINDOW_GHOST,
      this.#lastUse[loser] as number,
    )
    return loser
  }

  clear(): void {
    this.#window.clear()
    this.#probation.clear()
    this.#protected.clear()
    this.#sketch.clear()
    this.#adapter.clear()
    this.#windowMax = Math.max(1, Math.round(this.#maximum * WINDOW_SHARE))
    this.#protectedMax = this.#mainProtectedMax()
    this.#candidate = NONE
  }

  /** Counts one use of `slot`, remembering when its count saturates so hits can skip it. */
  #countUse(slot: number): void {
    const sketch = this.#sketch
    if (
      this.#saturatedIn[slot] !== sketch.epochTag &&
      sketch.increment(this.#hashes[slot] as number)
    ) {
      this.#saturatedIn[slot] = sketch.epochTag
    }
  }

  /** Moves the window/main split by `amount` entries (write path only). */
  #resizeWindow(amount: number): void {
    if (amount === 0) return
    this.#windowMax = Math.min(this.#maximum, Math.max(1, this.#windowMax + amount))
    this.#protectedMax = this.#mainProtectedMax()
    // A smaller main space: demote protected's LRU entries until it fits again.
    while (this.#protected.length > this.#protectedMax) {
      const demoted = this.#protected.head
      this.#protected.remove(demoted)
      this.#segments[demoted] = PROBATION
      this.#probation.push(demoted)
    }
  }

  #mainProtectedMax(): number {
    return Math.floor((this.#maximum - this.#windowMax) * PROTECTED_SHARE)
  }

  /** Moves a probation entry hit again to protected, demoting protected's LRU if full. */
  #promote(slot: number): void {
    this.#probation.remove(slot)
    this.#segments[slot] = PROTECTED
    this.#protected.push(slot)
    if (this.#protected.length > this.#protectedMax) {
      const demoted = this.#protected.head
      this.#protected.remove(demoted)
      this.#segments[demoted] = PROBATION
      this.#probation.push(demoted)
    }
  }

  #admits(candidate: number, incumbent: number): boolean {
    const hashes = this.#hashes
    const candidateFrequency = this.#sketch.frequency(hashes[candidate] as number)
    const incumbentFrequency = this.#sketch.frequency(hashes[incumbent] as number)
    if (candidateFrequency > incumbentFrequency) return true
    if (candidateFrequency < WARM_CANDIDATE) return false
    return (this.#nextRandom() & 127) === 0
  }

  #nextRandom(): number {
    let state = this.#random
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    this.#random = state
    return state >>> 0
  }

  #segment(segment: number): SlotList {
    if (segment === WINDOW) return this.#window
    return segment === PROBATION ? this.#probation : this.#protected
  }
}

/** The head of `list`, or the entry after it when the head is `keep`. */
function skip(list: SlotList, keep: number): number {
  const head = list.head
  return head === keep ? list.after(keep) : head
}

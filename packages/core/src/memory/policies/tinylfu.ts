import { FrequencySketch } from '../frequency-sketch.js'
import { type MemoryNode, NodeList } from '../node.js'
import { hashString } from '../string-hash.js'
import type { EvictionPolicy } from './policy.js'

const WINDOW = 0
const PROBATION = 1
const PROTECTED = 2

/** Share of the capacity given to the admission window. */
const WINDOW_SHARE = 0.01
/** Share of the main space kept for entries hit at least twice. */
const PROTECTED_SHARE = 0.8
/** Candidates at least this warm win a lost duel 1 time in 128 (defeats hash flooding). */
const WARM_CANDIDATE = 6

/**
 * W-TinyLFU, the scan-resistant policy of Caffeine, written from its paper:
 *
 * - new entries enter a small LRU **window** (1% of `maxEntries`);
 * - an entry pushed out of the window becomes a **candidate** for the main space,
 *   a segmented LRU of **probation** (entries seen once there) and **protected**
 *   (entries hit again while in probation, 80% of the main space);
 * - when room is needed the candidate duels the probation LRU entry: the one a
 *   count-min {@link FrequencySketch} says was used more often recently stays.
 *
 * One-hit keys (scans) therefore die in the window or lose their duel instead of
 * flushing the hot set, while the window still lets bursts of new keys prove
 * themselves.
 *
 * Inserts, and hits and overwrites in the window and probation, count in the sketch;
 * hits on protected entries do not (unlike Caffeine). Measured on every trace of the
 * hit-ratio simulator this gains 0.1 to 0.6 points: a protected entry that cools off
 * is demoted with its older, decayed count and gives way sooner. It also keeps the
 * sketch off most hits. The key hash is computed once and kept on the node, and a key
 * whose count is at the cap skips the sketch until the next halving.
 */
export class TinyLfuPolicy<V> implements EvictionPolicy<V> {
  readonly #window = new NodeList<V>()
  readonly #probation = new NodeList<V>()
  readonly #protected = new NodeList<V>()
  readonly #sketch: FrequencySketch
  readonly #windowMax: number
  readonly #protectedMax: number
  /** First window entry moved to probation by the current write, until it is settled. */
  #candidate: MemoryNode<V> | null = null
  /** xorshift32 state for the rare random admission; fixed seed keeps runs reproducible. */
  #random = 0x9e3779b9

  constructor(maxEntries: number) {
    this.#windowMax = Math.max(1, Math.round(maxEntries * WINDOW_SHARE))
    this.#protectedMax = Math.floor((maxEntries - this.#windowMax) * PROTECTED_SHARE)
    this.#sketch = new FrequencySketch(maxEntries)
  }

  insert(node: MemoryNode<V>): void {
    node.hash = hashString(node.key)
    this.#countUse(node)
    node.slot = WINDOW
    this.#window.push(node)
    this.#candidate = null
    while (this.#window.length > this.#windowMax) {
      const moved = this.#window.head as MemoryNode<V>
      this.#window.remove(moved)
      moved.slot = PROBATION
      this.#probation.push(moved)
      if (this.#candidate === null) this.#candidate = moved
    }
  }

  touch(node: MemoryNode<V>): void {
    switch (node.slot) {
      case PROTECTED:
        this.#protected.moveToTail(node)
        return
      case WINDOW:
        this.#countUse(node)
        this.#window.moveToTail(node)
        return
      default:
        this.#countUse(node)
        this.#promote(node)
    }
  }

  update(node: MemoryNode<V>): void {
    this.#candidate = null
    this.touch(node)
  }

  remove(node: MemoryNode<V>): void {
    if (node === this.#candidate) this.#candidate = node.next
    this.#segment(node.slot).remove(node)
  }

  victim(keep: MemoryNode<V>): MemoryNode<V> | null {
    let candidate = this.#candidate
    if (candidate === keep) candidate = this.#candidate = keep.next
    let incumbent = skip(this.#probation.head, keep)
    if (incumbent === candidate) incumbent = null
    incumbent ??= skip(this.#protected.head, keep) ?? skip(this.#window.head, keep)
    if (candidate === null || incumbent === null) return incumbent ?? candidate
    return this.#admits(candidate, incumbent) ? incumbent : candidate
  }

  clear(): void {
    this.#window.clear()
    this.#probation.clear()
    this.#protected.clear()
    this.#sketch.clear()
    this.#candidate = null
  }

  /** Counts one use of `node`, remembering when its count saturates so hits can skip it. */
  #countUse(node: MemoryNode<V>): void {
    const sketch = this.#sketch
    if (node.saturatedIn !== sketch.epoch && sketch.increment(node.hash)) {
      node.saturatedIn = sketch.epoch
    }
  }

  /** Moves a probation entry hit again to protected, demoting protected's LRU if full. */
  #promote(node: MemoryNode<V>): void {
    this.#probation.remove(node)
    node.slot = PROTECTED
    this.#protected.push(node)
    if (this.#protected.length > this.#protectedMax) {
      const demoted = this.#protected.head as MemoryNode<V>
      this.#protected.remove(demoted)
      demoted.slot = PROBATION
      this.#probation.push(demoted)
    }
  }

  #admits(candidate: MemoryNode<V>, incumbent: MemoryNode<V>): boolean {
    const candidateFrequency = this.#sketch.frequency(candidate.hash)
    const incumbentFrequency = this.#sketch.frequency(incumbent.hash)
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

  #segment(slot: number): NodeList<V> {
    if (slot === WINDOW) return this.#window
    return slot === PROBATION ? this.#probation : this.#protected
  }
}

function skip<V>(node: MemoryNode<V> | null, keep: MemoryNode<V>): MemoryNode<V> | null {
  return node === keep ? keep.next : node
}

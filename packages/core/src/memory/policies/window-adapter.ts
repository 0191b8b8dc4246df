import { GhostTable, MAIN_GHOST, WINDOW_GHOST } from './ghost-table.js'

/** Window entries added per window-ghost hit, removed per main-ghost hit. */
const STEP = 8
/**
 * The window grows only while window-ghost hits exceed this share of the requests of
 * the current or the previous period: a bigger window could then win more than half a
 * point of hit ratio. Below it (Zipf-like traffic: about 0.1%) random returns of rejected
 * keys would push the window up and cost up to 7 points.
 */
const GROW_RATE = 0.005
/** Fewest requests per period. */
const MIN_PERIOD = 512
/**
 * A rejected candidate counts when it is requested again within
 * `min(capacity, 6 * window + capacity / 20)` requests of its last use: a window that
 * large would have kept it, and the bound widens as the window grows.
 */
const WINDOW_REACH = 6
const BASE_REACH = 0.05
/** An evicted main entry counts when requested again within `capacity / 20` inserts. */
const MAIN_REACH = 0.05

/**
 * Sizes W-TinyLFU's window from the keys each side recently lost and then missed (an
 * ARC-like feedback, measured better than Caffeine's hit-rate hill climber on the
 * published traces; see docs/memory-tier.md):
 *
 * - a miss on a key the admission duel **rejected** ("window ghost"), soon after its last
 *   use, means a bigger window would have hit: the window grows by 8 entries, but only
 *   while such misses are at least 0.5% of the requests;
 * - a miss on a key the duel **evicted from main** ("main ghost"), soon after its
 *   eviction, means a bigger main space would have hit: the window shrinks by 8.
 *
 * Everything runs on the write path (a miss is followed by an insert); the hit path only
 * advances the request clock.
 */
export class WindowAdapter {
  readonly #ghosts: GhostTable
  readonly #capacity: number
  readonly #period: number
  /** Inserts seen: the clock of evictions. */
  #inserts = 0
  #periodEnd: number
  #periodHits = 0
  #grewLastPeriod = false

  constructor(capacity: number) {
    this.#capacity = capacity
    this.#ghosts = new GhostTable(capacity)
    this.#period = Math.max(MIN_PERIOD, capacity)
    this.#periodEnd = this.#period
  }

  /** Records a rejected candidate (`WINDOW_GHOST`) or an evicted incumbent (`MAIN_GHOST`). */
  lost(hash: number, side: number, lastUse: number): void {
    this.#ghosts.add(hash, side, lastUse, this.#inserts)
  }

  /**
   * Records the insert of a key (after a miss) as request number `requests`; returns how
   * many entries to add to the window.
   */
  inserted(hash: number, window: number, requests: number): number {
    this.#inserts++
    if (requests >= this.#periodEnd) {
      this.#grewLastPeriod = this.#periodHits > GROW_RATE * this.#period
      this.#periodEnd = requests + this.#period
      this.#periodHits = 0
    }
    const reach = Math.min(this.#capacity, WINDOW_REACH * window + BASE_REACH * this.#capacity)
    const mainReach = Math.max(16, MAIN_REACH * this.#capacity)
    const side = this.#ghosts.take(hash, requests, this.#inserts, reach, mainReach)
    if (side === WINDOW_GHOST) {
      this.#periodHits++
      const growing = this.#grewLastPeriod || this.#periodHits > GROW_RATE * this.#period
      return growing ? STEP : 0
    }
    return side === MAIN_GHOST ? -STEP : 0
  }

  clear(): void {
    this.#ghosts.clear()
    this.#periodHits = 0
    this.#grewLastPeriod = false
  }
}

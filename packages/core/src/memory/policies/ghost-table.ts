/** Ghosts of keys the window side lost (rejected candidates). */
export const WINDOW_GHOST = 0
/** Ghosts of keys the main side lost (evicted incumbents). */
export const MAIN_GHOST = 1

/**
 * Remembers, approximately, which keys the tier recently evicted, which side of
 * W-TinyLFU lost them, when they were last used (in requests) and when they were
 * evicted (in inserts). A direct-mapped table: per cell a 31-bit fingerprint of the key
 * hash and the side, the last-use request number and the eviction insert number (12
 * bytes per cell, one cell per two entries of capacity: 6 bytes per entry); a newer ghost
 * overwrites an older one in its cell, so a ghost may be forgotten early, never invented
 * (a 30-bit match).
 */
export class GhostTable {
  readonly #keys: Int32Array
  readonly #lastUse: Int32Array
  readonly #evictedAt: Int32Array
  readonly #mask: number

  constructor(capacity: number) {
    const size = Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, capacity))) / 2)
    this.#keys = new Int32Array(size)
    this.#lastUse = new Int32Array(size)
    this.#evictedAt = new Int32Array(size)
    this.#mask = size - 1
  }

  /** Records that `hash` was evicted by `side` at insert `inserts`, last used at request `lastUse`. */
  add(hash: number, side: number, lastUse: number, inserts: number): void {
    const index = hash & this.#mask
    this.#keys[index] = (hash << 1) | side | (1 << 31)
    this.#lastUse[index] = lastUse
    this.#evictedAt[index] = inserts
  }

  /**
   * The side that lost `hash` if its ghost is recent enough, else -1: a window ghost
   * last used fewer than `windowReach` requests ago, a main ghost evicted fewer than
   * `mainReach` inserts ago. The ghost is consumed either way.
   */
  take(
    hash: number,
    requests: number,
    inserts: number,
    windowReach: number,
    mainReach: number,
  ): number {
    const index = hash & this.#mask
    const cell = this.#keys[index] as number
    if (cell === 0 || (cell & 0x7ffffffe) !== ((hash << 1) & 0x7ffffffe)) return -1
    this.#keys[index] = 0
    const side = cell & 1
    if (side === WINDOW_GHOST)
      return requests - (this.#lastUse[index] as number) < windowReach ? side : -1
    return inserts - (this.#evictedAt[index] as number) < mainReach ? side : -1
  }

  clear(): void {
    this.#keys.fill(0)
  }
}

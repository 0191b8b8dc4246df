/** The eviction policies the memory tier implements. */
export type EvictionPolicyName = 'lru' | 'lfu' | 'fifo' | 'tinylfu'

/**
 * Orders a tier's slots and picks what to evict. The tier owns the key map, the
 * columns, the bounds, expiry and accounting; a policy only links, reorders and
 * chooses, through the shared `prev`/`next` columns and columns of its own.
 */
export interface EvictionPolicy {
  /** Links a slot that was just filled. */
  insert(slot: number): void
  /** Records a read hit on `slot`. */
  touch(slot: number): void
  /** Records that a live slot's value was overwritten. */
  update(slot: number): void
  /** Unlinks a slot the tier is removing, for whatever reason. */
  remove(slot: number): void
  /**
   * The slot to evict next to get back within bounds, never `keep` (the slot the
   * current write concerns), or -1 when nothing else is left.
   */
  victim(keep: number): number
  /** Forgets every slot (the tier dropped them all). */
  clear(): void
}

import type { MemoryNode } from '../node.js'

/** The eviction policies the memory tier implements. */
export type EvictionPolicyName = 'lru' | 'lfu' | 'fifo' | 'tinylfu'

/**
 * Orders a tier's nodes and picks what to evict. The tier owns the key map, the
 * bounds, expiry and accounting; a policy only links, reorders and chooses.
 */
export interface EvictionPolicy<V> {
  /** Links a node that was just added. */
  insert(node: MemoryNode<V>): void
  /** Records a read hit on `node`. */
  touch(node: MemoryNode<V>): void
  /** Records that a live node's value was overwritten. */
  update(node: MemoryNode<V>): void
  /** Unlinks a node the tier is removing, for whatever reason. */
  remove(node: MemoryNode<V>): void
  /**
   * The node to evict next to get back within bounds, never `keep` (the node the
   * current write concerns), or `null` when nothing else is left.
   */
  victim(keep: MemoryNode<V>): MemoryNode<V> | null
  /** Forgets every node (the tier dropped them all). */
  clear(): void
}

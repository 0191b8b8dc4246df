import { type MemoryNode, NodeList } from '../node.js'
import type { EvictionPolicy } from './policy.js'

/** Use counts saturate here; entries at the cap are ordered by recency among themselves. */
const MAX_USES = 255

/**
 * Least frequently used, in O(1): one list per use count (1 to 255), each ordered by
 * recency, so the victim is the least recently used of the least used entries. Counts
 * live only while the entry is cached and never decay, so LFU suits stable popularity
 * and is slow to forget a formerly hot key.
 */
export class LfuPolicy<V> implements EvictionPolicy<V> {
  readonly #lists: NodeList<V>[] = Array.from({ length: MAX_USES + 1 }, () => new NodeList<V>())
  /** A lower bound of the smallest use count present; victim() raises it lazily. */
  #minUses = 1

  insert(node: MemoryNode<V>): void {
    node.slot = 1
    this.#list(1).push(node)
    this.#minUses = 1
  }

  touch(node: MemoryNode<V>): void {
    const uses = node.slot
    if (uses === MAX_USES) {
      this.#list(uses).moveToTail(node)
      return
    }
    this.#list(uses).remove(node)
    this.#list(uses + 1).push(node)
    node.slot = uses + 1
  }

  update(node: MemoryNode<V>): void {
    this.touch(node)
  }

  remove(node: MemoryNode<V>): void {
    this.#list(node.slot).remove(node)
  }

  victim(keep: MemoryNode<V>): MemoryNode<V> | null {
    for (let uses = this.#minUses; uses <= MAX_USES; uses++) {
      const head = this.#list(uses).head
      if (head === null) {
        if (uses === this.#minUses) this.#minUses++
        continue
      }
      if (head !== keep) return head
      if (keep.next !== null) return keep.next
    }
    return null
  }

  clear(): void {
    for (const list of this.#lists) list.clear()
    this.#minUses = 1
  }

  #list(uses: number): NodeList<V> {
    return this.#lists[uses] as NodeList<V>
  }
}

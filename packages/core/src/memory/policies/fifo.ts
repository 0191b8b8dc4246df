import { type MemoryNode, NodeList } from '../node.js'
import type { EvictionPolicy } from './policy.js'

/**
 * First in, first out: entries leave in insertion order. Hits cost nothing, and an
 * overwrite keeps the entry's original place in the queue.
 */
export class FifoPolicy<V> implements EvictionPolicy<V> {
  readonly #list = new NodeList<V>()

  insert(node: MemoryNode<V>): void {
    this.#list.push(node)
  }

  touch(): void {}

  update(): void {}

  remove(node: MemoryNode<V>): void {
    this.#list.remove(node)
  }

  victim(keep: MemoryNode<V>): MemoryNode<V> | null {
    const head = this.#list.head
    return head === keep ? keep.next : head
  }

  clear(): void {
    this.#list.clear()
  }
}

import { type MemoryNode, NodeList } from '../node.js'
import type { EvictionPolicy } from './policy.js'

/** Least recently used: every hit or overwrite moves the entry to the back of one list. */
export class LruPolicy<V> implements EvictionPolicy<V> {
  readonly #list = new NodeList<V>()

  insert(node: MemoryNode<V>): void {
    this.#list.push(node)
  }

  touch(node: MemoryNode<V>): void {
    this.#list.moveToTail(node)
  }

  update(node: MemoryNode<V>): void {
    this.#list.moveToTail(node)
  }

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

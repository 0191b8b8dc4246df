import type { MemoryNode } from './node.js'

/**
 * A binary min-heap of the nodes that expire, ordered by `expiresAt`. Each node keeps
 * its own index, so a removal or a changed expiry costs O(log n) and nothing is left
 * behind: the heap never holds more nodes than the tier does.
 */
export class ExpiryHeap<V> {
  readonly #nodes: MemoryNode<V>[] = []

  get size(): number {
    return this.#nodes.length
  }

  /** The node that expires first, if any. */
  peek(): MemoryNode<V> | undefined {
    return this.#nodes[0]
  }

  push(node: MemoryNode<V>): void {
    node.heapIndex = this.#nodes.length
    this.#nodes.push(node)
    this.#siftUp(node)
  }

  remove(node: MemoryNode<V>): void {
    const nodes = this.#nodes
    const index = node.heapIndex
    const last = nodes.pop() as MemoryNode<V>
    node.heapIndex = -1
    if (last === node) return
    nodes[index] = last
    last.heapIndex = index
    this.reschedule(last)
  }

  /** Restores the order after `node.expiresAt` changed. */
  reschedule(node: MemoryNode<V>): void {
    this.#siftUp(node)
    this.#siftDown(node)
  }

  clear(): void {
    for (const node of this.#nodes) node.heapIndex = -1
    this.#nodes.length = 0
  }

  #siftUp(node: MemoryNode<V>): void {
    const nodes = this.#nodes
    let index = node.heapIndex
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1
      const parent = nodes[parentIndex] as MemoryNode<V>
      if (parent.expiresAt <= node.expiresAt) break
      nodes[index] = parent
      parent.heapIndex = index
      index = parentIndex
    }
    nodes[index] = node
    node.heapIndex = index
  }

  #siftDown(node: MemoryNode<V>): void {
    const nodes = this.#nodes
    const length = nodes.length
    let index = node.heapIndex
    for (;;) {
      let child = 2 * index + 1
      if (child >= length) break
      const right = child + 1
      if (
        right < length &&
        (nodes[right] as MemoryNode<V>).expiresAt < (nodes[child] as MemoryNode<V>).expiresAt
      ) {
        child = right
      }
      const smallest = nodes[child] as MemoryNode<V>
      if (smallest.expiresAt >= node.expiresAt) break
      nodes[index] = smallest
      smallest.heapIndex = index
      index = child
    }
    nodes[index] = node
    node.heapIndex = index
  }
}

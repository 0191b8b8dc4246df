/** The expiry of an entry that never expires. */
export const NEVER = Number.POSITIVE_INFINITY

/**
 * One cached entry, linked into exactly one of its policy's lists at a time.
 * Fields are all initialised here so every node shares one hidden class.
 */
export class MemoryNode<V> {
  prev: MemoryNode<V> | null = null
  next: MemoryNode<V> | null = null
  /** Position in the expiry heap, or -1 when the entry never expires. */
  heapIndex = -1
  /** Key hash for the frequency sketch, computed once on insert (tinylfu only). */
  hash = 0
  /** Sketch epoch in which this key's count reached its cap, or -1 (tinylfu only). */
  saturatedIn = -1
  /** Policy-owned slot: the segment for tinylfu, the use count for lfu. */
  slot = 0

  constructor(
    readonly key: string,
    public value: V,
    public expiresAt: number,
    public bytes: number,
  ) {}
}

/** An intrusive doubly linked list of nodes: head is the oldest, tail the newest. */
export class NodeList<V> {
  head: MemoryNode<V> | null = null
  tail: MemoryNode<V> | null = null
  length = 0

  push(node: MemoryNode<V>): void {
    const tail = this.tail
    node.prev = tail
    node.next = null
    if (tail === null) this.head = node
    else tail.next = node
    this.tail = node
    this.length++
  }

  remove(node: MemoryNode<V>): void {
    this.#unlink(node)
    node.prev = null
    node.next = null
    this.length--
  }

  moveToTail(node: MemoryNode<V>): void {
    const tail = this.tail
    if (node === tail) return
    this.#unlink(node)
    node.prev = tail
    node.next = null
    ;(tail as MemoryNode<V>).next = node
    this.tail = node
  }

  clear(): void {
    this.head = null
    this.tail = null
    this.length = 0
  }

  #unlink(node: MemoryNode<V>): void {
    const { prev, next } = node
    if (prev === null) this.head = next
    else prev.next = next
    if (next === null) this.tail = prev
    else next.prev = prev
  }
}

import type { EvictionReason, EvictListener } from './options.js'

interface PendingEviction<V> {
  readonly key: string
  readonly value: V
  readonly reason: EvictionReason
}

/**
 * A local tier's evict listeners and the calls queued for them. An operation queues its
 * evictions and `flush()`es once the tier is consistent again, so listeners may call
 * back into the tier; a throwing listener does not stop the others, and the first error
 * is rethrown to the operation's caller. With no listener, queuing costs nothing.
 * Exported from `@stack/core/store-kit` for authors of other local tiers.
 *
 * @example
 * ```ts
 * const evicted = new EvictQueue<CacheEntry>()
 * evicted.add((key, _value, reason) => console.log(key, reason))
 * evicted.push('k', entry, 'capacity')
 * evicted.flush() // calls the listener once the tier is consistent
 * ```
 */
export class EvictQueue<V> {
  listeners: readonly EvictListener<V>[] = []
  #pending: PendingEviction<V>[] = []

  /** Whether anyone listens (values are only materialised for listeners). */
  get active(): boolean {
    return this.listeners.length !== 0
  }

  add(listener: EvictListener<V>): () => void {
    this.listeners = [...this.listeners, listener]
    return () => {
      const index = this.listeners.indexOf(listener)
      if (index !== -1) this.listeners = this.listeners.toSpliced(index, 1)
    }
  }

  push(key: string, value: V, reason: EvictionReason): void {
    this.#pending.push({ key, value, reason })
  }

  /** Forgets the queued calls (their operation was rolled back). */
  discard(): void {
    this.#pending = []
  }

  /** Runs queued listener calls; rethrows the first failure once all have run. */
  flush(): void {
    if (this.#pending.length === 0) return
    const batch = this.#pending
    this.#pending = []
    const listeners = this.listeners
    let failure: { error: unknown } | undefined
    for (const { key, value, reason } of batch) {
      for (const listener of listeners) {
        try {
          listener(key, value, reason)
        } catch (error) {
          failure ??= { error }
        }
      }
    }
    if (failure !== undefined) throw failure.error
  }
}

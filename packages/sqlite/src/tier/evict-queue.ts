import type { CacheEntry, EvictionReason } from '@stack/core'
import type { SqliteTierEvictListener } from './options.js'

interface PendingEviction {
  readonly key: string
  readonly value: CacheEntry
  readonly reason: EvictionReason
}

/**
 * The tier's evict listeners and the calls queued for them, with the memory tier's
 * rules: an operation queues its evictions and `flush()`es once its transaction has
 * committed, so listeners may call back into the tier; a throwing listener does not stop
 * the others, and the first error is rethrown to the operation's caller.
 */
export class EvictQueue {
  listeners: readonly SqliteTierEvictListener[] = []
  #pending: PendingEviction[] = []

  /** Whether anyone listens (removed rows are only decoded for listeners). */
  get active(): boolean {
    return this.listeners.length !== 0
  }

  add(listener: SqliteTierEvictListener): () => void {
    this.listeners = [...this.listeners, listener]
    return () => {
      const index = this.listeners.indexOf(listener)
      if (index !== -1) this.listeners = this.listeners.toSpliced(index, 1)
    }
  }

  push(key: string, value: CacheEntry, reason: EvictionReason): void {
    this.#pending.push({ key, value, reason })
  }

  /** Forgets queued calls (their operation rolled back). */
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

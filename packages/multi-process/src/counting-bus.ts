import type { BusListener, CacheBus } from '@stack/core'

/**
 * Wraps a worker's bus to observe it from outside the cache: counts delivered messages
 * and reconnects, and calls `afterMessage` once the cache has handled each message (the
 * moment its memory tier may have changed).
 */
export class CountingBus implements CacheBus {
  readonly name: string
  messages = 0
  reconnects = 0
  /** Settles once the cache's subscription is active (or failed to start). */
  subscribed: Promise<void> = Promise.resolve()
  readonly #waiters = new Set<() => void>()
  readonly #inner: CacheBus
  readonly #afterMessage: () => void
  readonly #onReconnect: () => void

  constructor(inner: CacheBus, afterMessage: () => void, onReconnect: () => void) {
    this.name = inner.name
    this.#inner = inner
    this.#afterMessage = afterMessage
    this.#onReconnect = onReconnect
  }

  publish(message: string): Promise<void> {
    return this.#inner.publish(message)
  }

  subscribe(listener: BusListener): Promise<void> {
    const subscribing = this.#inner.subscribe({
      onMessage: (message) => {
        listener.onMessage(message)
        this.messages++
        this.#afterMessage()
        for (const wake of this.#waiters) wake()
      },
      onReconnect: () => {
        listener.onReconnect?.()
        this.reconnects++
        this.#onReconnect()
      },
    })
    this.subscribed = subscribing.catch(() => undefined)
    return subscribing
  }

  /** Resolves once `count` messages in total were delivered; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs: number): Promise<void> {
    if (this.messages >= count) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        this.#waiters.delete(check)
      }
      const check = () => {
        if (this.messages < count) return
        done()
        resolve()
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`${this.messages} of ${count} bus messages after ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.add(check)
    })
  }

  close(): Promise<void> {
    return this.#inner.close()
  }
}

import type { BusListener, CacheBus } from '../bus.js'
import { ClosedError } from '../errors.js'

/** A hub that in-process buses publish through; one per simulated "network". */
export class MemoryBusHub {
  readonly #listeners = new Set<BusListener>()

  /** A new bus on this hub, as one process would have. */
  bus(): CacheBus {
    return new MemoryBus(this.#listeners)
  }

  /** Simulates a reconnect of every subscriber (messages in between were lost). */
  reconnectAll(): void {
    for (const listener of this.#listeners) listener.onReconnect?.()
  }
}

/**
 * An in-process {@link CacheBus}, for tests and for several caches in one process that
 * share remote tiers. Messages are delivered asynchronously (next microtask), as a
 * network bus would.
 *
 * @example
 * ```ts
 * const hub = new MemoryBusHub()
 * const a = createCache({ tiers: [memory(), shared], bus: hub.bus() })
 * const b = createCache({ tiers: [memory(), shared], bus: hub.bus() })
 * ```
 */
class MemoryBus implements CacheBus {
  readonly name = 'memory-bus'
  readonly #hub: Set<BusListener>
  #listener: BusListener | undefined
  #closed = false

  constructor(hub: Set<BusListener>) {
    this.#hub = hub
  }

  async publish(message: string): Promise<void> {
    if (this.#closed) throw new ClosedError('memory bus')
    for (const listener of this.#hub) queueMicrotask(() => listener.onMessage(message))
  }

  async subscribe(listener: BusListener): Promise<void> {
    if (this.#closed) throw new ClosedError('memory bus')
    this.#listener = listener
    this.#hub.add(listener)
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#listener) this.#hub.delete(this.#listener)
  }
}

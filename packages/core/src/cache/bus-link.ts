import { randomUUID } from 'node:crypto'
import type { CacheBus } from '../bus.js'
import { type BreakerState, TierGuard, type TierGuardOptions } from '../resilience/index.js'
import { BusBacklog } from './bus-backlog.js'
import type { TagChange } from './tags.js'

/**
 * An invalidation message. It names what changed (full keys, a cleared prefix, tag
 * changes), never values: receivers drop or expire their local copies and read the
 * shared tiers again. `reset` tells receivers that messages were lost: drop everything.
 */
export interface Invalidation {
  readonly keys?: readonly string[]
  readonly prefix?: string
  readonly tags?: TagChange
  readonly reset?: true
}

/** What a receiving cache does with a message from another process. */
export interface InvalidationHandler {
  apply(invalidation: Invalidation): void
  /** Messages were lost (this subscription dropped, or a sender could not publish): distrust everything local. */
  reset(): void
}

/** What a {@link BusLink} reports: failures, and what it could not publish. */
export interface BusLinkEvents {
  error(operation: string, error: unknown): void
  circuit(state: BreakerState, previous: BreakerState): void
}

interface WireMessage extends Invalidation {
  readonly v: 1
  readonly from: string
}

const RETRY_FIRST_MS = 500
const RETRY_MAX_MS = 30_000

/**
 * Connects a cache to a {@link CacheBus}: encodes what this process changed, and
 * applies what other processes changed. Messages this process sent are ignored when
 * they come back. Malformed messages are reported and ignored.
 *
 * Publishing goes through a guard like a remote tier's (timeout, circuit breaker), so a
 * bus that is down costs a caller at most the timeout, and nothing once the circuit is
 * open. What could not be published is kept (merged, bounded) and announced when the
 * bus works again; if too much piled up, a reset is announced instead.
 */
export class BusLink {
  readonly #bus: CacheBus
  readonly #id = randomUUID()
  readonly #events: BusLinkEvents
  readonly guard: TierGuard
  readonly #backlog = new BusBacklog()
  #retry: NodeJS.Timeout | undefined
  #retries = 0
  #closed = false

  constructor(bus: CacheBus, events: BusLinkEvents, guard: TierGuardOptions) {
    this.#bus = bus
    this.#events = events
    this.guard = new TierGuard(`bus ${bus.name}`, guard)
    this.guard.onStateChange((state, previous) => events.circuit(state, previous))
  }

  /** Invalidations waiting to be announced again. */
  get backlog(): number {
    return this.#backlog.size
  }

  subscribe(handler: InvalidationHandler): Promise<void> {
    return this.#bus.subscribe({
      onMessage: (text) => {
        const message = this.#decode(text)
        if (message === undefined || message.from === this.#id) return
        if (message.reset === true) handler.reset()
        else handler.apply(message)
      },
      onReconnect: () => handler.reset(),
    })
  }

  /** Publishes `invalidation`; never rejects. A failure keeps it for re-announcing. */
  async publish(invalidation: Invalidation): Promise<void> {
    if (!this.#backlog.isEmpty) {
      this.#backlog.add(invalidation)
      await this.#flush()
      return
    }
    if (!(await this.#send(invalidation))) {
      this.#backlog.add(invalidation)
      this.#scheduleRetry()
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retry)
    await this.#bus.close()
  }

  async #send(invalidation: Invalidation): Promise<boolean> {
    const message: WireMessage = { v: 1, from: this.#id, ...invalidation }
    try {
      await this.guard.run('publish', invalidation.keys?.[0], () =>
        this.#bus.publish(JSON.stringify(message)),
      )
      return true
    } catch (error) {
      this.#events.error('publish', error)
      return false
    }
  }

  /** Announces the backlog (merged); what fails goes back into it. */
  async #flush(): Promise<void> {
    for (const message of this.#backlog.drain()) {
      if (!(await this.#send(message))) {
        this.#backlog.add(message)
        this.#scheduleRetry()
        return
      }
    }
    this.#retries = 0
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined) return
    const delay = Math.min(RETRY_FIRST_MS * 2 ** this.#retries++, RETRY_MAX_MS)
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      void this.#flush()
    }, delay)
    this.#retry.unref()
  }

  #decode(text: string): WireMessage | undefined {
    try {
      const message = JSON.parse(text) as WireMessage
      if (message?.v !== 1 || typeof message.from !== 'string')
        throw new Error('not a @stack bus message')
      if (message.keys !== undefined && !isStringArray(message.keys)) throw new Error('bad keys')
      if (message.prefix !== undefined && typeof message.prefix !== 'string')
        throw new Error('bad prefix')
      if (message.tags !== undefined && !isTagChange(message.tags)) throw new Error('bad tags')
      if (message.reset !== undefined && message.reset !== true) throw new Error('bad reset')
      return message
    } catch (error) {
      this.#events.error('bus', error)
      return undefined
    }
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

function isTagChange(value: unknown): value is TagChange {
  const change = value as Partial<TagChange> | null
  return (
    typeof change === 'object' &&
    change !== null &&
    typeof change.scope === 'string' &&
    isStringArray(change.tags) &&
    typeof change.hard === 'boolean' &&
    typeof change.at === 'number' &&
    Number.isFinite(change.at)
  )
}

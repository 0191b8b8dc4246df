import { randomUUID } from 'node:crypto'
import type { CacheBus } from '../bus.js'
import type { TagChange } from './tags.js'

/**
 * An invalidation message. It names what changed (full keys, a cleared prefix, tag
 * changes), never values: receivers drop or expire their local copies and read the
 * shared tiers again.
 */
export interface Invalidation {
  readonly keys?: readonly string[]
  readonly prefix?: string
  readonly tags?: TagChange
}

/** What a receiving cache does with a message from another process. */
export interface InvalidationHandler {
  apply(invalidation: Invalidation): void
  /** The bus lost messages: distrust everything local. */
  reset(): void
}

interface WireMessage {
  readonly v: 1
  readonly from: string
  readonly keys?: readonly string[]
  readonly prefix?: string
  readonly tags?: TagChange
}

/**
 * Connects a cache to a {@link CacheBus}: encodes what this process changed, and
 * applies what other processes changed. Messages this process sent are ignored when
 * they come back. Malformed messages are reported and ignored.
 */
export class BusLink {
  readonly #bus: CacheBus
  readonly #id = randomUUID()
  readonly #onError: (error: unknown) => void

  constructor(bus: CacheBus, onError: (error: unknown) => void) {
    this.#bus = bus
    this.#onError = onError
  }

  subscribe(handler: InvalidationHandler): Promise<void> {
    return this.#bus.subscribe({
      onMessage: (text) => {
        const message = this.#decode(text)
        if (message !== undefined && message.from !== this.#id) handler.apply(message)
      },
      onReconnect: () => handler.reset(),
    })
  }

  publish(invalidation: Invalidation): Promise<void> {
    const message: WireMessage = { v: 1, from: this.#id, ...invalidation }
    return this.#bus.publish(JSON.stringify(message))
  }

  close(): Promise<void> {
    return this.#bus.close()
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
      return message
    } catch (error) {
      this.#onError(error)
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
    isStringArray(change.tags) &&
    typeof change.hard === 'boolean' &&
    typeof change.at === 'number'
  )
}

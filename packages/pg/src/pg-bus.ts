import { randomUUID } from 'node:crypto'
import {
  type BusListener,
  type CacheBus,
  ClosedError,
  type Duration,
  InvalidOptionError,
  toMilliseconds,
} from '@stack/core'
import { type OptionNames, readOptions } from '@stack/core/store-kit'
import { type PostgresConnection, resolveClient } from './client.js'
import { guard } from './guard.js'
import { decodeText, encodeText } from './key-codec.js'
import { FrameAssembler, toFrames } from './notify-frames.js'

/** Options of {@link pgBus}. */
export interface PgBusOptions {
  /**
   * A postgres.js instance (not ended by `close()`), a connection URL, or postgres.js
   * options. LISTEN runs on a dedicated connection postgres.js opens beside the pool.
   */
  readonly client?: PostgresConnection
  /** The NOTIFY channel, a plain identifier of at most 63 characters. Default `'stack_cache'`. */
  readonly channel?: string
  /** Longest `publish` or `subscribe` may take before rejecting with `StoreUnavailableError`. Default `'1s'`. */
  readonly timeout?: Duration
}

const PG_BUS_OPTIONS: OptionNames<PgBusOptions> = { client: true, channel: true, timeout: true }
const NAME = 'pg-bus'
const CHANNEL = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * A {@link CacheBus} over PostgreSQL LISTEN/NOTIFY. postgres.js re-listens by itself
 * after the connection drops (also when the first attempt failed); each time it does,
 * listeners get `onReconnect`, since messages sent meanwhile are lost. Messages of any size work: those over NOTIFY's 8000-byte
 * payload limit are split into parts sent in one transaction and reassembled.
 *
 * @example
 * ```ts
 * import { pgBus } from '@stack/pg'
 *
 * const bus = pgBus({ client: process.env.DATABASE_URL, channel: 'cache_events' })
 * await bus.subscribe({
 *   onMessage: (message) => console.log('invalidate', message),
 *   onReconnect: () => console.log('messages may have been missed'),
 * })
 * await bus.publish('user:42')
 * ```
 */
export function pgBus(options: PgBusOptions = {}): CacheBus {
  readOptions(options, PG_BUS_OPTIONS, { factory: 'pgBus' })
  const channel = options.channel ?? 'stack_cache'
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new InvalidOptionError(
      'channel',
      `channel must match ${CHANNEL}, got ${JSON.stringify(channel)}`,
    )
  }
  const timeoutMs = toMilliseconds(options.timeout ?? 1_000, 'timeout')
  if (timeoutMs <= 0 || !Number.isFinite(timeoutMs)) {
    throw new InvalidOptionError(
      'timeout',
      `timeout must be a finite duration > 0, got ${timeoutMs}`,
    )
  }
  const { sql, owned } = resolveClient(options.client, timeoutMs)
  const listeners = new Set<BusListener>()
  const frames = new FrameAssembler()
  const idPrefix = randomUUID().slice(0, 8)
  let sequence = 0
  let closed = false
  /** postgres.js' LISTEN, started once: it keeps retrying and re-listening by itself. */
  let listen: Promise<{ unlisten(): Promise<void> }> | undefined
  /** Whether the LISTEN has been established at least once. */
  let listened = false
  let waiters: (() => void)[] = []

  const deliver = (frame: string) => {
    if (closed) return
    const message = frames.accept(frame)
    if (message === undefined) return
    const decoded = decodeText(message)
    for (const listener of listeners) listener.onMessage(decoded)
  }

  const onListen = () => {
    if (closed) return
    if (listened) {
      frames.reset()
      for (const listener of listeners) listener.onReconnect?.()
    }
    listened = true
    for (const wake of waiters) wake()
    waiters = []
  }

  /** Resolves once the LISTEN is active; the first call also fails fast if it cannot start. */
  const whenListening = (): Promise<unknown> => {
    const established = new Promise<void>((resolve) => waiters.push(resolve))
    if (listen) return established
    listen = sql.listen(channel, deliver, onListen)
    listen.catch(() => undefined)
    return Promise.race([established, listen])
  }

  return {
    name: NAME,

    async publish(message) {
      if (closed) throw new ClosedError(NAME)
      if (typeof message !== 'string') {
        throw new InvalidOptionError('message', 'bus messages must be strings')
      }
      const payloads = toFrames(encodeText(message), `${idPrefix}${(sequence++).toString(36)}`)
      await guard(NAME, timeoutMs, async (track) => {
        if (payloads.length === 1) {
          await track(sql`SELECT pg_notify(${channel}, ${payloads[0] as string})`)
          return
        }
        await sql.begin(async (tx) => {
          for (const payload of payloads) await track(tx`SELECT pg_notify(${channel}, ${payload})`)
        })
      })
    },

    async subscribe(listener) {
      if (closed) throw new ClosedError(NAME)
      listeners.add(listener)
      if (listened) return
      try {
        await guard(NAME, timeoutMs, whenListening)
      } catch (error) {
        listeners.delete(listener)
        throw error
      }
    },

    async close() {
      if (closed) return
      closed = true
      listeners.clear()
      await listen?.then((meta) => meta.unlisten()).catch(() => undefined)
      if (owned) await sql.end({ timeout: timeoutMs / 1000 }).catch(() => undefined)
    },
  }
}

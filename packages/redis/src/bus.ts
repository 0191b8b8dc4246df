import {
  type BusListener,
  type CacheBus,
  ClosedError,
  type Duration,
  InvalidOptionError,
  toMilliseconds,
} from '@stack/core'
import { type OptionNames, readOptions } from '@stack/core/store-kit'
import type { Redis } from 'ioredis'
import {
  CONNECTION_OPTIONS,
  type Connection,
  connect,
  isCluster,
  type RedisConnectionOptions,
} from './client.js'
import { disconnect } from './disconnect.js'
import { Gate } from './gate.js'

/** Options of {@link redisBus}. */
export interface RedisBusOptions extends RedisConnectionOptions {
  /** Pub/sub channel; every process of one cache must use the same. Default `'stack:bus'`. */
  readonly channel?: string | undefined
  /** Name in errors, stats and traces. Default `'redis-bus'`. */
  readonly name?: string | undefined
  /** Longest `publish` or `subscribe` may take before rejecting. Default `'1s'`. */
  readonly timeout?: Duration | undefined
  /**
   * On a Cluster, failed reconnection attempts to the subscriber's node before the
   * bus moves its subscription to another master. Default 3.
   */
  readonly failoverAttempts?: number | undefined
}

const REDIS_BUS_OPTIONS: OptionNames<RedisBusOptions> = {
  ...CONNECTION_OPTIONS,
  channel: true,
  name: true,
  timeout: true,
  failoverAttempts: true,
}

/**
 * Calls a listener so that a throwing one neither breaks ioredis' reply parsing (which
 * emits the event) nor keeps the other listeners from being called: its error is
 * rethrown on its own, as an uncaught exception.
 */
function deliver(callback: () => void): void {
  try {
    callback()
  } catch (error) {
    queueMicrotask(() => {
      throw error
    })
  }
}

/**
 * A {@link CacheBus} over Redis pub/sub; create it with {@link redisBus}.
 *
 * Messages are published on the main connection; a second, dedicated connection
 * subscribes (a subscribed connection can run nothing else). After that connection
 * is lost and comes back, the bus subscribes again and then calls `onReconnect`.
 */
export class RedisBus implements CacheBus {
  readonly name: string
  readonly #channel: string
  readonly #connection: Connection
  readonly #gate: Gate
  readonly #timeoutMs: number
  readonly #failoverAttempts: number
  readonly #listeners = new Set<BusListener>()
  #subscriber: Redis | undefined
  #subscribed: Promise<void> | undefined
  #everSubscribed = false
  #failedAttempts = 0
  #closed = false
  #closing: Promise<void> | undefined

  constructor(options: RedisBusOptions = {}) {
    readOptions(options, REDIS_BUS_OPTIONS, { factory: 'redisBus' })
    this.name = options.name ?? 'redis-bus'
    this.#channel = options.channel ?? 'stack:bus'
    if (typeof this.#channel !== 'string' || this.#channel.length === 0) {
      throw new InvalidOptionError('channel', 'channel must be a non-empty string')
    }
    this.#timeoutMs = toMilliseconds(options.timeout ?? 1_000, 'timeout')
    if (this.#timeoutMs <= 0 || !Number.isFinite(this.#timeoutMs)) {
      throw new InvalidOptionError(
        'timeout',
        `timeout must be finite and > 0, got ${options.timeout}`,
      )
    }
    this.#failoverAttempts = options.failoverAttempts ?? 3
    if (!Number.isInteger(this.#failoverAttempts) || this.#failoverAttempts < 1) {
      throw new InvalidOptionError('failoverAttempts', 'failoverAttempts must be an integer >= 1')
    }
    this.#connection = connect(options)
    this.#gate = new Gate(
      this.#connection.client,
      this.name,
      this.#timeoutMs,
      this.#connection.created,
    )
  }

  async publish(message: string): Promise<void> {
    if (typeof message !== 'string') {
      throw new InvalidOptionError('message', 'a bus message must be a string')
    }
    const client = this.#connection.client
    await this.#gate.run(() => client.publish(this.#channel, message))
  }

  /**
   * Adds `listener` and resolves once the subscription is active. If Redis cannot be
   * reached within the timeout this rejects with `StoreUnavailableError`, but the bus
   * keeps trying: once subscribed, it calls `onReconnect` on every listener.
   */
  async subscribe(listener: BusListener): Promise<void> {
    if (this.#closed) throw new ClosedError(this.name)
    this.#listeners.add(listener)
    this.#subscribed ??= new Promise<void>((resolve) => {
      const client = this.#connection.client
      // A Cluster names its masters (where the subscriber goes) only once it is ready.
      if (isCluster(client) && client.status !== 'ready') {
        client.once('ready', () => this.#connectSubscriber(resolve))
      } else {
        this.#connectSubscriber(resolve)
      }
    })
    const subscribed = this.#subscribed
    await this.#gate.run(() => subscribed)
  }

  async close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true
      this.#listeners.clear()
      this.#gate.close()
      this.#subscriber?.disconnect()
      this.#subscriber = undefined
      if (this.#connection.closeClient) await disconnect(this.#connection.client, this.#timeoutMs)
    })()
    return this.#closing
  }

  /** The server to subscribe on: the connection itself, or the next Cluster master. */
  #subscriptionSource(): Redis | undefined {
    const client = this.#connection.client
    if (!isCluster(client)) return client
    const candidates = client.nodes('master')
    const current = this.#subscriber?.options
    const index = candidates.findIndex(
      (node) => node.options.host === current?.host && node.options.port === current?.port,
    )
    return candidates[(index + 1) % candidates.length]
  }

  #connectSubscriber(onFirstSubscription: () => void): void {
    if (this.#closed) return
    const source = this.#subscriptionSource()
    if (source === undefined) return
    this.#subscriber?.disconnect()
    const subscriber = source.duplicate({
      lazyConnect: true,
      enableOfflineQueue: true,
      autoResubscribe: false,
      maxRetriesPerRequest: null,
      keyPrefix: undefined,
      retryStrategy: (attempt: number) => Math.min(attempt * 50, 1_000),
    })
    this.#subscriber = subscriber
    subscriber.on('error', () => {})
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return
      for (const listener of this.#listeners) deliver(() => listener.onMessage(message))
    })
    subscriber.on('ready', () => {
      this.#failedAttempts = 0
      subscriber.subscribe(this.#channel).then(
        () => {
          if (this.#closed || subscriber !== this.#subscriber) return
          if (this.#everSubscribed) {
            for (const listener of this.#listeners) deliver(() => listener.onReconnect?.())
          }
          this.#everSubscribed = true
          onFirstSubscription()
        },
        () => {},
      )
    })
    subscriber.on('reconnecting', () => {
      this.#failedAttempts++
      if (isCluster(this.#connection.client) && this.#failedAttempts >= this.#failoverAttempts) {
        this.#failedAttempts = 0
        this.#connectSubscriber(onFirstSubscription)
      }
    })
    subscriber.connect().catch(() => {})
  }
}

/**
 * A Redis pub/sub {@link CacheBus}, so that processes sharing remote tiers drop what
 * another process changed from their memory tier. Works on a Cluster too.
 *
 * @example
 * ```ts
 * import { redisBus } from '@stack/redis'
 *
 * const bus = redisBus({ url: 'redis://127.0.0.1:6379', channel: 'app:invalidate' })
 * await bus.subscribe({
 *   onMessage: (message) => console.log('changed elsewhere:', message),
 *   onReconnect: () => console.log('messages may have been missed'),
 * })
 * await bus.publish('user:42')
 * ```
 */
export function redisBus(options: RedisBusOptions = {}): RedisBus {
  return new RedisBus(options)
}

/**
 * The bus contract: a transport for invalidation messages between processes that
 * share remote tiers, so each process can drop what changed from its local tier.
 *
 * A bus moves opaque strings; core encodes and decodes the messages (keys, tags,
 * namespaces, never values) and ignores its own. Backends ship buses
 * (`@stack/redis` over pub/sub, `@stack/pg` over LISTEN/NOTIFY).
 */
export interface CacheBus {
  /** Short human name for stats and traces. */
  readonly name: string
  /** Sends `message` to every subscriber, this process' included. */
  publish(message: string): Promise<void>
  /**
   * Starts delivering messages. `onReconnect` is called after the transport lost its
   * subscription and got it back: messages may have been missed in between, so core
   * treats the local tier as suspect. Resolves once the subscription is active.
   */
  subscribe(listener: BusListener): Promise<void>
  /** Unsubscribes and releases connections. Idempotent. */
  close(): Promise<void>
}

/** Callbacks a {@link CacheBus} delivers to. */
export interface BusListener {
  onMessage(message: string): void
  onReconnect?(): void
}

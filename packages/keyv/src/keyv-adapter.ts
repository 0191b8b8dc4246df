import type { Cache } from '@stack/core'
import type { KeyvStoreAdapter } from 'keyv'

type Listener = (...args: unknown[]) => void

/** Options of {@link stackKeyvAdapter}. */
export interface StackKeyvAdapterOptions {
  /**
   * Close the cache when Keyv disconnects (`keyv.disconnect()`, cache-manager's
   * `disconnect()`, NestJS shutdown). Default `false`: the cache belongs to you and may
   * serve other code.
   */
  readonly closeOnDisconnect?: boolean | undefined
}

/**
 * A Keyv storage adapter backed by a `@stack` cache, so code written for Keyv,
 * cache-manager or NestJS's cache module gets @stack's tiers (memory → Redis → Postgres),
 * its bus and its resilience without changing a line.
 *
 * Keyv's namespace becomes a cache namespace (`cache.namespace(ns)`), so `keyv.clear()`
 * removes exactly that namespace. A Keyv TTL (ms) becomes the entry's `ttl`; no TTL
 * means `Infinity` (kept until evicted), as in Keyv. Keyv serializes values itself, so
 * the cache stores Keyv's strings. Cache errors reach Keyv's `error` event.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { stackKeyvAdapter } from '@stack/keyv'
 * import Keyv from 'keyv'
 *
 * const cache = createCache({ tiers: [memory()] })
 * const keyv = new Keyv({ store: stackKeyvAdapter(cache), namespace: 'sessions' })
 * await keyv.set('abc', { user: 1 }, 60_000)
 * ```
 */
export function stackKeyvAdapter(
  cache: Cache,
  options: StackKeyvAdapterOptions = {},
): StackKeyvAdapter {
  return new StackKeyvAdapter(cache, options)
}

export class StackKeyvAdapter implements KeyvStoreAdapter {
  /** Read by Keyv; `dialect` names the backend. */
  opts: Record<string, unknown> = { dialect: 'stack' }
  /** Set by Keyv to its namespace; keys then arrive as `namespace:key`. */
  namespace?: string | undefined
  readonly #cache: Cache
  readonly #closeOnDisconnect: boolean
  readonly #namespaces = new Map<string, Cache>()

  constructor(cache: Cache, options: StackKeyvAdapterOptions = {}) {
    this.#cache = cache
    this.#closeOnDisconnect = options.closeOnDisconnect ?? false
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    const [cache, local] = this.#locate(key)
    return cache.get<Value>(local)
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const [cache, local] = this.#locate(key)
    const lifetime = typeof ttl === 'number' && ttl > 0 ? ttl : Number.POSITIVE_INFINITY
    await cache.set(local, value, { ttl: lifetime })
    return true
  }

  async delete(key: string): Promise<boolean> {
    const [cache, local] = this.#locate(key)
    return cache.delete(local)
  }

  async has(key: string): Promise<boolean> {
    const [cache, local] = this.#locate(key)
    return cache.has(local)
  }

  /** Clears Keyv's namespace, or the whole cache when Keyv has none. */
  async clear(): Promise<void> {
    await this.#scope().clear()
  }

  async disconnect(): Promise<void> {
    if (this.#closeOnDisconnect) await this.#cache.close()
  }

  /** Keyv listens to `error`; it receives the cache's `error` events' errors. */
  on(event: string, listener: Listener): this {
    if (event === 'error') this.#cache.on('error', ({ error }) => listener(error))
    return this
  }

  #scope(): Cache {
    const name = this.namespace
    if (name === undefined || name === '') return this.#cache
    let scoped = this.#namespaces.get(name)
    if (scoped === undefined) {
      scoped = this.#cache.namespace(name)
      this.#namespaces.set(name, scoped)
    }
    return scoped
  }

  /** The cache and key for a Keyv key: `ns:key` goes to namespace `ns`. */
  #locate(key: string): [Cache, string] {
    const name = this.namespace
    if (name !== undefined && name !== '' && key.startsWith(`${name}:`)) {
      return [this.#scope(), key.slice(name.length + 1)]
    }
    return [this.#cache, key]
  }
}

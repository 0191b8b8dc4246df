import type { CacheEntry } from '../entry.js'
import type { EnvelopeCodec } from '../envelope.js'
import type { DecodeError } from '../errors.js'
import { TierGuard, type TierGuardOptions } from '../resilience/index.js'
import type { RemoteStore, StoreWrite } from '../store.js'
import { type CompleteStore, completeStore } from '../store-fallbacks.js'

/**
 * A remote store as the cache sees it: entries in, entries out, envelopes in between.
 * Store failures propagate (the cache decides whether they are fatal); undecodable
 * bytes are reported through `onDecodeError` and read as a miss.
 */
export class RemoteTier {
  readonly name: string
  readonly store: CompleteStore
  /** Timeout and circuit breaker around every operation on this tier. */
  readonly guard: TierGuard
  readonly #codec: EnvelopeCodec
  readonly #onDecodeError: (error: DecodeError) => void

  constructor(
    store: RemoteStore,
    codec: EnvelopeCodec,
    onDecodeError: (error: DecodeError) => void,
    guard: TierGuardOptions,
  ) {
    this.name = store.name
    this.store = completeStore(store)
    this.guard = new TierGuard(store.name, guard)
    this.#codec = codec
    this.#onDecodeError = onDecodeError
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const bytes = await this.store.get(key)
    return bytes === undefined ? undefined : this.#decode(key, bytes)
  }

  async getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    const values = await this.store.getMany(keys)
    return values.map((bytes, i) =>
      bytes === undefined ? undefined : this.#decode(keys[i] as string, bytes),
    )
  }

  set(key: string, bytes: Uint8Array, entry: CacheEntry): Promise<void> {
    return this.store.set(key, bytes, entry.staleUntil)
  }

  setMany(writes: readonly StoreWrite[]): Promise<void> {
    return this.store.setMany(writes)
  }

  encode(key: string, entry: CacheEntry): Uint8Array {
    return this.#codec.encode(key, entry)
  }

  #decode(key: string, bytes: Uint8Array): CacheEntry | undefined {
    try {
      return this.#codec.decode(key, bytes)
    } catch (error) {
      this.#onDecodeError(error as DecodeError)
      return undefined
    }
  }
}

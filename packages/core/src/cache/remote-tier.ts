import type { CacheEntry } from '../entry.js'
import type { EnvelopeCodec } from '../envelope.js'
import type { DecodeError } from '../errors.js'
import { TierGuard, type TierGuardOptions } from '../resilience/index.js'
import type { RemoteStore, StoreWrite } from '../store.js'
import { type CompleteStore, completeStore } from '../store-fallbacks.js'
import { capEntryLife } from './entry-life.js'
import { maxBatchKeysOf, ReadCoalescer, type ReadCoalescing } from './read-coalescer.js'

/** The guard's options plus how single-key reads are coalesced (default: same tick). */
export interface RemoteTierOptions extends TierGuardOptions {
  readonly coalesceReads?: ReadCoalescing
}

/**
 * A remote store as the cache sees it: entries in, entries out, envelopes in between.
 * Store failures propagate (the cache decides whether they are fatal); undecodable
 * bytes are reported through `onDecodeError` and read as a miss.
 *
 * Concurrent {@link get}s of a store with native batches are coalesced into `getMany`
 * calls (see {@link ReadCoalescer}); batch reads never exceed the store's
 * `capabilities.maxBatchKeys`.
 */
export class RemoteTier {
  readonly name: string
  readonly store: CompleteStore
  /** Timeout and circuit breaker around every operation on this tier. */
  readonly guard: TierGuard
  readonly #codec: EnvelopeCodec
  readonly #onDecodeError: (error: DecodeError) => void
  readonly #maxBatchKeys: number
  readonly #maxEntryLife: number
  /** `undefined` when coalescing is off or the store has no native batch read. */
  readonly #reads: ReadCoalescer | undefined

  constructor(
    store: RemoteStore,
    codec: EnvelopeCodec,
    onDecodeError: (error: DecodeError) => void,
    options: RemoteTierOptions,
    maxEntryLife: number,
  ) {
    const { coalesceReads = { windowMicros: 0 }, ...guard } = options
    this.name = store.name
    this.store = completeStore(store)
    this.guard = new TierGuard(store.name, guard)
    this.#codec = codec
    this.#onDecodeError = onDecodeError
    this.#maxBatchKeys = maxBatchKeysOf(this.store)
    this.#maxEntryLife = maxEntryLife
    this.#reads =
      coalesceReads && store.capabilities.batch
        ? new ReadCoalescer(this.store, coalesceReads, this.#maxBatchKeys)
        : undefined
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const bytes = await (this.#reads ? this.#reads.read(key) : this.store.get(key))
    return bytes === undefined ? undefined : this.#decode(key, bytes)
  }

  async getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    const values = await this.#readInBatches(keys)
    return values.map((bytes, i) =>
      bytes === undefined ? undefined : this.#decode(keys[i] as string, bytes),
    )
  }

  /** `store.getMany`, split into calls of at most `maxBatchKeys` keys. */
  async #readInBatches(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    const max = this.#maxBatchKeys
    if (keys.length <= max) return this.store.getMany(keys)
    const calls: Promise<(Uint8Array | undefined)[]>[] = []
    for (let start = 0; start < keys.length; start += max) {
      calls.push(this.store.getMany(keys.slice(start, start + max)))
    }
    return (await Promise.all(calls)).flat()
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
      return capEntryLife(this.#codec.decode(key, bytes), this.#maxEntryLife)
    } catch (error) {
      this.#onDecodeError(error as DecodeError)
      return undefined
    }
  }
}

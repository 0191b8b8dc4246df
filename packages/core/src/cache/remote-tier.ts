import type { CacheEntry } from '../entry.js'
import type { EnvelopeCodec } from '../envelope.js'
import { type DecodeError, InvalidOptionError } from '../errors.js'
import { TierGuard, type TierGuardOptions } from '../resilience/index.js'
import type { RemoteStore, StoreWrite } from '../store.js'
import { type CompleteStore, completeStore } from '../store-fallbacks.js'
import { capEntryLife } from './entry-life.js'
import { maxBatchKeysOf, ReadCoalescer, type ReadCoalescing } from './read-coalescer.js'

/** A batch write with the version a conditional tier compares (the entry's `createdAt`). */
export interface VersionedWrite extends StoreWrite {
  readonly version: number
}

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
 *
 * On a store declaring `capabilities.conditionalWrite` ({@link conditional}), every
 * write and delete goes through `setIfNewer`/`deleteIfNewer` with a version, so a write
 * older than what the store holds is refused; on other stores through `set`/`delete`.
 */
export class RemoteTier {
  readonly name: string
  readonly store: CompleteStore
  /** Timeout and circuit breaker around every operation on this tier. */
  readonly guard: TierGuard
  /** Whether writes and deletes here are conditional on versions (newer wins). */
  readonly conditional: boolean
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
    this.conditional = isConditional(store)
    this.#codec = codec
    this.#onDecodeError = onDecodeError
    this.#maxBatchKeys = maxBatchKeysOf(this.store)
    this.#maxEntryLife = maxEntryLife
    this.#reads =
      coalesceReads && store.capabilities.batch
        ? new ReadCoalescer(this.store, coalesceReads, this.#maxBatchKeys, (operation, key, call) =>
            this.guard.run(operation, key, call),
          )
        : undefined
  }

  /**
   * The stored bytes under `key`, to {@link decode}. Unlike the other methods, guarded
   * here (timeout, breaker): coalesced reads share one guarded store call per batch.
   */
  readBytes(key: string): Promise<Uint8Array | undefined> {
    return this.#reads
      ? this.#reads.read(key)
      : this.guard.run('get', key, () => this.store.get(key))
  }

  async getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    const values = await this.#readInBatches(keys)
    return values.map((bytes, i) =>
      bytes === undefined ? undefined : this.decode(keys[i] as string, bytes),
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

  /**
   * Writes `entry` (the store's expiry is its `staleUntil`). Resolves `false` when a
   * conditional tier refused it: it holds a newer version, or a newer delete's tombstone.
   */
  async set(key: string, bytes: Uint8Array, entry: CacheEntry, version: number): Promise<boolean> {
    if (!this.conditional) {
      await this.store.set(key, bytes, entry.staleUntil)
      return true
    }
    return this.store.setIfNewer!(key, bytes, entry.staleUntil, version)
  }

  /**
   * Writes a batch: one `setMany`, or on a conditional tier one `setIfNewer` per key (the
   * last write of a key listed twice). Resolves the keys a conditional tier refused.
   */
  async setMany(writes: readonly VersionedWrite[]): Promise<readonly string[]> {
    if (!this.conditional) {
      await this.store.setMany(writes)
      return []
    }
    const last = new Map(writes.map((write) => [write.key, write]))
    const refused = await Promise.all(
      [...last.values()].map(async (write) =>
        (await this.store.setIfNewer!(write.key, write.value, write.expiresAt, write.version))
          ? undefined
          : write.key,
      ),
    )
    return refused.filter((key) => key !== undefined)
  }

  /**
   * Removes `key`; on a conditional tier, unless it holds a newer version than `version`,
   * and leaving a tombstone until `tombstoneUntil`. Resolves whether a live entry went.
   */
  delete(key: string, version: number, tombstoneUntil: number): Promise<boolean> {
    if (!this.conditional) return this.store.delete(key)
    return this.store.deleteIfNewer!(key, version, tombstoneUntil)
  }

  /** {@link delete} of several keys: one `deleteMany`, or one `deleteIfNewer` per key. */
  async deleteMany(keys: readonly string[], version: number, tombstoneUntil: number) {
    if (!this.conditional) return this.store.deleteMany(keys)
    const removed = await Promise.all(
      [...new Set(keys)].map((key) => this.delete(key, version, tombstoneUntil)),
    )
    return removed.filter(Boolean).length
  }

  /** A record of core's own (a tag timestamp) whose newest version must win. */
  async setRecord(key: string, bytes: Uint8Array, expiresAt: number, version: number) {
    if (!this.conditional) return this.store.set(key, bytes, expiresAt)
    await this.store.setIfNewer!(key, bytes, expiresAt, version)
  }

  encode(key: string, entry: CacheEntry): Uint8Array {
    return this.#codec.encode(key, entry)
  }

  /** The entry in `bytes` read for `key`; undecodable bytes are reported and read as a miss. */
  decode(key: string, bytes: Uint8Array): CacheEntry | undefined {
    try {
      return capEntryLife(this.#codec.decode(key, bytes), this.#maxEntryLife)
    } catch (error) {
      this.#onDecodeError(error as DecodeError)
      return undefined
    }
  }
}

/** Whether `store` declares conditional writes; declaring them without the methods is refused. */
function isConditional(store: RemoteStore): boolean {
  if (store.capabilities.conditionalWrite !== true) return false
  if (typeof store.setIfNewer !== 'function' || typeof store.deleteIfNewer !== 'function') {
    throw new InvalidOptionError(
      'tiers',
      `store "${store.name}" declares capabilities.conditionalWrite but lacks setIfNewer or deleteIfNewer`,
    )
  }
  return true
}

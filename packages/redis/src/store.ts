import {
  InvalidOptionError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreStats,
  type StoreWarning,
  type StoreWrite,
  toMilliseconds,
  UnsupportedError,
} from '@stack/core'
import {
  assertTombstoneUntil,
  assertVersion,
  booleanOption,
  readOptions,
} from '@stack/core/store-kit'
import type { ChainableCommander } from 'ioredis'
import { planBatches, runBatches } from './batch.js'
import { type Connection, connect, isCluster, type RedisClient } from './client.js'
import {
  addUnlessLive,
  defineConditionalCommands,
  deleteIfNewer,
  deleteLive,
  queueDeleteLive,
  setIfNewer,
  withoutTombstones,
} from './conditional.js'
import { prepareDedupWrite } from './dedup.js'
import { disconnect } from './disconnect.js'
import { frameValue, storedValue } from './frame.js'
import { Gate } from './gate.js'
import { prefixPattern } from './glob.js'
import {
  conditionalOption,
  positiveInteger,
  REDIS_STORE_OPTIONS,
  type RedisStoreOptions,
} from './options.js'
import { masters, scanPages, unlinkAll } from './scan.js'
import { evictionWarnings, readMemorySettings } from './setup.js'
import {
  checkExpiry,
  checkKey,
  checkPrefix,
  checkValue,
  type Expiry,
  REDIS_MAX_VALUE_BYTES,
} from './validate.js'

const DEFAULT_TIMEOUT_MS = 1_000

/** Adds the write of one entry to a pipeline. */
function addWrite(pipeline: ChainableCommander, key: string, value: Buffer, expiry: Expiry): void {
  if (expiry === 'past') pipeline.unlink(key)
  else if (expiry === 'never') pipeline.set(key, frameValue(value))
  else pipeline.set(key, frameValue(value), 'PXAT', expiry)
}

/** A {@link RemoteStore} on Redis or Redis Cluster; create it with {@link redisStore}. */
export class RedisStore implements RemoteStore {
  readonly name: string
  readonly contractVersion = STORE_CONTRACT_VERSION
  readonly capabilities: StoreCapabilities
  /** The ioredis client in use, for commands the store does not offer. */
  readonly client: RedisClient
  readonly #connection: Connection
  readonly #gate: Gate
  readonly #keyPrefix: string
  readonly #timeoutMs: number
  readonly #maxValueBytes: number
  readonly #scanCount: number
  readonly #dedupeWrites: boolean
  readonly #conditional: boolean
  readonly #counts = { writes: 0, dedupedWrites: 0, writtenBytes: 0 }
  #closing: Promise<void> | undefined

  constructor(options: RedisStoreOptions = {}) {
    readOptions(options, REDIS_STORE_OPTIONS, { factory: 'redisStore' })
    this.name = options.name ?? 'redis'
    if (typeof this.name !== 'string' || this.name.length === 0) {
      throw new InvalidOptionError('name', 'name must be a non-empty string')
    }
    this.#keyPrefix = options.keyPrefix ?? 'stack:'
    if (typeof this.#keyPrefix !== 'string') {
      throw new InvalidOptionError('keyPrefix', 'keyPrefix must be a string')
    }
    this.#timeoutMs = toMilliseconds(options.timeout ?? DEFAULT_TIMEOUT_MS, 'timeout')
    if (this.#timeoutMs <= 0 || !Number.isFinite(this.#timeoutMs)) {
      throw new InvalidOptionError(
        'timeout',
        `timeout must be finite and > 0, got ${options.timeout}`,
      )
    }
    this.#maxValueBytes = positiveInteger(
      'maxValueBytes',
      options.maxValueBytes,
      REDIS_MAX_VALUE_BYTES,
      REDIS_MAX_VALUE_BYTES,
    )
    this.#scanCount = positiveInteger('scanCount', options.scanCount, 1_000)
    this.#dedupeWrites = booleanOption(options.dedupeWrites, 'dedupeWrites', false)
    this.#conditional = conditionalOption(options.conditionalWrites, this.#dedupeWrites)
    this.capabilities = {
      batch: true,
      add: true,
      keys: true,
      ttlGranularity: 'ms',
      maxValueBytes: this.#maxValueBytes,
      dedupeWrites: this.#dedupeWrites,
      conditionalWrite: this.#conditional,
    }
    this.#connection = connect(options)
    this.client = this.#connection.client
    if (this.#conditional) defineConditionalCommands(this.client)
    this.#gate = new Gate(this.client, this.name, this.#timeoutMs, this.#connection.created)
  }

  #redisKey(key: string): string {
    return this.#keyPrefix + checkKey(key)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const redisKey = this.#redisKey(key)
    return storedValue(await this.#gate.run(() => this.client.getBuffer(redisKey), key))
  }

  async set(key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    const redisKey = this.#redisKey(key)
    const bytes = checkValue(key, value, this.#maxValueBytes)
    const expiry = checkExpiry(key, expiresAt, Date.now())
    if (expiry === 'past') {
      await this.#gate.run(() => this.client.unlink(redisKey), key)
      return
    }
    const dedup = this.#dedupeWrites ? prepareDedupWrite(bytes) : undefined
    if (
      dedup !== undefined &&
      (await this.#gate.run(() => dedup.rewrite(this.client, redisKey, expiry), key))
    ) {
      this.#counts.dedupedWrites++
      return
    }
    const stored = dedup?.framed() ?? frameValue(bytes)
    await this.#gate.run(
      (): Promise<unknown> =>
        expiry === 'never'
          ? this.client.set(redisKey, stored)
          : this.client.set(redisKey, stored, 'PXAT', expiry),
      key,
    )
    this.#countWrite(stored.byteLength)
  }

  /**
   * This instance's counters: `writes` (values sent whole by `set`, `setMany` and `add`),
   * `dedupedWrites` (`set`s that rewrote only a header), `writtenBytes` (value bytes sent).
   *
   * @example
   * ```ts
   * store.stats() // { writes: 1, dedupedWrites: 99, writtenBytes: 1_048_614 }
   * ```
   */
  stats(): StoreStats {
    return { ...this.#counts }
  }

  async delete(key: string): Promise<boolean> {
    const redisKey = this.#redisKey(key)
    if (this.#conditional) return this.#gate.run(() => deleteLive(this.client, redisKey), key)
    return (await this.#gate.run(() => this.client.unlink(redisKey), key)) > 0
  }

  /**
   * One Lua script: writes unless the key holds a strictly newer version (a value's or a
   * tombstone's), keeping `version` in the value's frame. Only with `conditionalWrites`.
   */
  async setIfNewer(
    key: string,
    value: Uint8Array,
    expiresAt: number,
    version: number,
  ): Promise<boolean> {
    const redisKey = this.#conditionalKey(key)
    const bytes = checkValue(key, value, this.#maxValueBytes)
    const expiry = checkExpiry(key, expiresAt, Date.now())
    assertVersion(key, version)
    const stored = frameValue(bytes)
    const written = await this.#gate.run(
      () => setIfNewer(this.client, redisKey, version, stored, expiry),
      key,
    )
    if (written && expiry !== 'past') this.#countWrite(stored.byteLength)
    return written
  }

  /**
   * One Lua script: unless the key holds a strictly newer version, replaces it with a
   * tombstone of `version` expiring at `tombstoneUntil`. Only with `conditionalWrites`.
   */
  async deleteIfNewer(key: string, version: number, tombstoneUntil: number): Promise<boolean> {
    const redisKey = this.#conditionalKey(key)
    assertVersion(key, version)
    assertTombstoneUntil(key, tombstoneUntil)
    const expiry = checkExpiry(key, tombstoneUntil, Date.now())
    return this.#gate.run(() => deleteIfNewer(this.client, redisKey, version, expiry), key)
  }

  #conditionalKey(key: string): string {
    if (!this.#conditional) {
      throw new UnsupportedError(`store "${this.name}" was created with conditionalWrites: false`)
    }
    return this.#redisKey(key)
  }

  /**
   * Set-if-absent with `SET NX PXAT`, atomic on the server. An `expiresAt` already past
   * stores nothing and resolves whether a live entry was absent.
   */
  async add(key: string, value: Uint8Array, expiresAt: number): Promise<boolean> {
    const redisKey = this.#redisKey(key)
    const bytes = frameValue(checkValue(key, value, this.#maxValueBytes))
    const expiry = checkExpiry(key, expiresAt, Date.now())
    if (this.#conditional) {
      // A tombstone is an absent key to add: one script instead of SET NX.
      const added = await this.#gate.run(
        () => addUnlessLive(this.client, redisKey, bytes, expiry),
        key,
      )
      if (added && expiry !== 'past') this.#countWrite(bytes.byteLength)
      return added
    }
    // Redis itself refuses to keep a key whose PXAT is past, after checking NX.
    const at = expiry === 'past' ? Math.max(1, Math.ceil(expiresAt)) : expiry
    const reply = await this.#gate.run(
      () =>
        at === 'never'
          ? this.client.set(redisKey, bytes, 'NX')
          : this.client.set(redisKey, bytes, 'PXAT', at, 'NX'),
      key,
    )
    if (reply !== 'OK') return false
    this.#countWrite(bytes.byteLength)
    return true
  }

  /** One MGET; on a Cluster, one MGET per hash slot and one pipeline per master. */
  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    const redisKeys = keys.map((key) => this.#redisKey(key))
    if (redisKeys.length === 0) return []
    const client = this.client
    if (!isCluster(client)) {
      const values = await this.#gate.run(() => client.mgetBuffer(redisKeys))
      return values.map(storedValue)
    }
    const results = new Array<Uint8Array | undefined>(keys.length).fill(undefined)
    const batches = planBatches(client, redisKeys)
    const replies = await this.#gate.run(() =>
      runBatches(client, batches, (pipeline, group) => {
        pipeline.mgetBuffer(group.map((index) => redisKeys[index] as string))
      }),
    )
    batches.forEach((batch, b) => {
      batch.forEach((group, g) => {
        const values = replies[b]?.[g] as (Buffer | null)[]
        group.forEach((index, i) => {
          results[index] = storedValue(values[i] ?? null)
        })
      })
    })
    return results
  }

  /** One pipeline (per Cluster master) of `SET ... PXAT`, `SET` or `UNLINK` per entry. */
  async setMany(entries: readonly StoreWrite[]): Promise<void> {
    const now = Date.now()
    const writes = entries.map(({ key, value, expiresAt }) => ({
      redisKey: this.#redisKey(key),
      bytes: checkValue(key, value, this.#maxValueBytes),
      expiry: checkExpiry(key, expiresAt, now),
    }))
    if (writes.length === 0) return
    const batches = planBatches(
      this.client,
      writes.map((write) => write.redisKey),
    )
    await this.#gate.run(() =>
      runBatches(this.client, batches, (pipeline, group) => {
        for (const index of group) {
          const write = writes[index]!
          addWrite(pipeline, write.redisKey, write.bytes, write.expiry)
        }
      }),
    )
    for (const write of writes)
      if (write.expiry !== 'past') this.#countWrite(write.bytes.byteLength)
  }

  #countWrite(bytes: number): void {
    this.#counts.writes++
    this.#counts.writtenBytes += bytes
  }

  /** UNLINK per hash slot; on a Cluster, one pipeline per master. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const redisKeys = keys.map((key) => this.#redisKey(key))
    if (redisKeys.length === 0) return 0
    const batches = planBatches(this.client, redisKeys)
    const replies = await this.#gate.run(() =>
      runBatches(this.client, batches, (pipeline, group) => {
        if (!this.#conditional) pipeline.unlink(group.map((index) => redisKeys[index] as string))
        else
          for (const index of new Set(group.map((i) => redisKeys[i])))
            queueDeleteLive(pipeline, index as string)
      }),
    )
    return replies.flat().reduce<number>((sum, removed) => sum + Number(removed), 0)
  }

  /**
   * SCAN with the prefix' glob metacharacters escaped, UNLINKing each page, on every
   * master. The timeout applies to each round trip, not to the whole clear.
   */
  async clear(prefix: string): Promise<void> {
    const pattern = prefixPattern(this.#keyPrefix + checkPrefix(prefix))
    const clusterMode = isCluster(this.client)
    await this.#gate.ready()
    await Promise.all(
      masters(this.client).map(async (server) => {
        for await (const page of scanPages(this.#gate, server, pattern, this.#scanCount)) {
          await this.#gate.run(() => unlinkAll(server, page, clusterMode))
        }
      }),
    )
  }

  /** Streams the live keys starting with `prefix`, each once, from every master. */
  async *keys(prefix: string): AsyncIterable<string> {
    const pattern = prefixPattern(this.#keyPrefix + checkPrefix(prefix))
    await this.#gate.ready()
    const seen = new Set<string>()
    for (const server of masters(this.client)) {
      for await (const scanned of scanPages(this.#gate, server, pattern, this.#scanCount)) {
        const page = this.#conditional
          ? await this.#gate.run(() => withoutTombstones(server, scanned))
          : scanned
        for (const raw of page) {
          const key = raw.toString('utf8').slice(this.#keyPrefix.length)
          // SCAN may return a key twice while Redis resizes its table.
          if (seen.has(key)) continue
          seen.add(key)
          yield key
        }
      }
    }
  }

  /**
   * Warns (`'evicts-live-keys'`) when a server's `maxmemory-policy` is anything but
   * `noeviction`: Redis could then evict core's tag timestamps before their expiry and
   * bring invalidated entries back. Reads `CONFIG GET maxmemory*` on every master; a
   * server that refuses CONFIG (disabled, renamed, managed Redis) is left out silently.
   * Core calls it once, when a cache first uses tags.
   */
  async checkSetup(): Promise<readonly StoreWarning[]> {
    await this.#gate.ready()
    const servers = masters(this.client)
    const settings = await Promise.all(
      servers.map((server) => this.#gate.run(() => readMemorySettings(server))),
    )
    return evictionWarnings(settings)
  }

  async close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#gate.close()
      if (this.#connection.closeClient) await disconnect(this.client, this.#timeoutMs)
    })()
    return this.#closing
  }
}

/**
 * A Redis (standalone or Cluster) store for `@stack/core` chains.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { redisStore } from '@stack/redis'
 *
 * const cache = createCache({
 *   tiers: [memory(), redisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'app:' })],
 *   ttl: '5m',
 * })
 * ```
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  return new RedisStore(options)
}

import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  StoreUnavailableError,
  type StoreWrite,
  ValueTooLargeError,
} from '@stack/core'
import { assertPrefix } from '@stack/core/store-kit'
import type { ClearLog } from './clear-log.js'
import { type MemjsClient, type MemjsServer, resolveClient } from './client.js'
import { exptime } from './expiry.js'
import { Guard } from './guard.js'
import { encodeItem, liveValue as liveItemValue, stampHolds } from './item.js'
import { clearLogKeys, memcachedKey } from './key-map.js'
import { LogAccess } from './log-access.js'
import { type MemcachedStoreOptions, resolveMemcachedOptions } from './options.js'
import { Opcode, type Reply, Status, storageExtras } from './protocol.js'
import { evictionWarnings } from './setup.js'
import { Transport } from './transport.js'

/** A {@link RemoteStore} on memcached, with the batch methods and `add`; see {@link memcachedStore}. */
export interface MemcachedStore extends RemoteStore {
  getMany: NonNullable<RemoteStore['getMany']>
  setMany: NonNullable<RemoteStore['setMany']>
  deleteMany: NonNullable<RemoteStore['deleteMany']>
  add: NonNullable<RemoteStore['add']>
  /**
   * Warns (`'evicts-live-keys'`) unless every server runs with evictions off (`-M`):
   * memcached would otherwise evict core's tag timestamps under memory pressure. Reads
   * `stats settings` of each server. Core calls it once, when a cache first uses tags.
   */
  checkSetup: NonNullable<RemoteStore['checkSetup']>
  /** The memjs client in use. */
  readonly client: MemjsClient
}

const NAME = 'memcached'
/** Attempts of `add` when it keeps losing compare-and-swap races over a dead entry. */
const ADD_ATTEMPTS = 5

/**
 * A store on one or more memcached servers, through memjs. Keys are spread over the
 * servers by memjs; a server that is down fails (or misses) only its own keys.
 *
 * memcached keeps whole seconds and cannot list keys, so this store writes a small
 * header into each item: the exact expiry (reads honour it to the millisecond) and a
 * stamp against a per-server *clear log*, which is how `clear(prefix)` works without a
 * scan. Reads fetch the item and that log in one write and one round trip. See the README.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { memcachedStore } from '@stack/memcached'
 *
 * const cache = createCache({
 *   tiers: [memory(), memcachedStore({ client: 'cache-1:11211,cache-2:11211' })],
 *   ttl: '5m',
 * })
 * ```
 */
export function memcachedStore(options: MemcachedStoreOptions = {}): MemcachedStore {
  const resolved = resolveMemcachedOptions(options)
  const { namespace, timeoutMs, maxValueBytes } = resolved
  const { client, owned } = resolveClient(options.client, timeoutMs)
  const transport = new Transport(client)
  const logs = new LogAccess(transport, clearLogKeys(namespace), NAME, resolved.maxClearedPrefixes)
  const guard = new Guard(NAME, timeoutMs)
  let closed = false

  const run = <T>(work: () => Promise<T>, key?: string): Promise<T> => {
    if (closed) return Promise.reject(new ClosedError(`${NAME} store`))
    return guard.run(work, key)
  }

  const mapKey = (key: string): string => {
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidKeyError(
        `key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
        typeof key === 'string' ? key : undefined,
      )
    }
    return memcachedKey(namespace, key)
  }

  const checkSize = (key: string, value: Uint8Array) => {
    if (!(value instanceof Uint8Array)) {
      throw new InvalidOptionError('value', `value must be a Uint8Array, got ${typeof value}`)
    }
    if (value.byteLength > maxValueBytes) {
      throw new ValueTooLargeError(key, value.byteLength, maxValueBytes)
    }
  }

  const get = (mkey: string) => transport.send(mkey, { opcode: Opcode.get, key: mkey })

  /** Whether a GET reply holds a live item for `key` under `log`. */
  const liveValue = (key: string, reply: Reply, log: ClearLog | undefined) => {
    if (reply.status === Status.notFound) return undefined
    expectStatus(reply, key, Status.ok)
    return liveItemValue(reply.value, log, key, Date.now())
  }

  /** The item and its server's clear log, in one write and one round trip. */
  const readLive = (key: string, mkey: string) =>
    new Promise<{ reply: Reply; log: ClearLog | undefined; value: Buffer | undefined }>(
      (resolve, reject) => {
        logs.readWith(
          mkey,
          (reply, log) => {
            try {
              resolve({ reply, log, value: liveValue(key, reply, log) })
            } catch (error) {
              reject(error)
            }
          },
          reject,
        )
      },
    )

  /**
   * SET stamped with the cached clear log, pipelined with a read of the log right after
   * it. When that read shows the stamp would hide the write (the log was lost, replaced
   * by `clear('')`, or a matching prefix was cleared since the cache was filled), the
   * write is redone once against the current log.
   */
  const write = async (key: string, mkey: string, value: Uint8Array, expiresAt: number) => {
    if (expiresAt <= Date.now()) {
      expectStatus(await del(mkey), key, Status.ok, Status.notFound)
      return
    }
    let log = await logs.forWrite(mkey)
    for (let attempt = 0; attempt < 2; attempt++) {
      const [reply, after] = await Promise.all([
        transport.send(mkey, {
          opcode: Opcode.set,
          key: mkey,
          extras: storageExtras(exptime(expiresAt, Date.now())),
          value: encodeItem(log, expiresAt, value),
        }),
        logs.read(mkey),
      ])
      expectStored(reply, key, value)
      if (after && stampHolds(after, log, key)) return
      log = after ?? (await logs.current(mkey))
    }
  }

  const del = (mkey: string) => transport.send(mkey, { opcode: Opcode.delete, key: mkey })

  /** Pipelines GET, clear-log GET and DELETE of one key; resolves whether it was live. */
  const deleteLive = async (key: string, mkey: string) => {
    const [found, removed] = await Promise.all([readLive(key, mkey), del(mkey)])
    expectStatus(removed, key, Status.ok, Status.notFound)
    return found.value !== undefined
  }

  const add = async (key: string, mkey: string, value: Uint8Array, expiresAt: number) => {
    for (let attempt = 0; attempt < ADD_ATTEMPTS; attempt++) {
      const log = await logs.current(mkey)
      const now = Date.now()
      const extras = storageExtras(exptime(expiresAt, now))
      const added = await transport.send(mkey, {
        opcode: Opcode.add,
        key: mkey,
        extras,
        value: encodeItem(log, expiresAt, value),
      })
      if (added.status === Status.ok) return true
      if (added.status !== Status.exists && added.status !== Status.notStored) {
        expectStored(added, key, value)
      }
      // Something is stored under the key: live (we lost), or dead by expiry or clear,
      // in which case replace exactly that version, so one concurrent caller wins.
      const existing = await readLive(key, mkey)
      if (existing.value !== undefined) return false
      if (existing.reply.status !== Status.ok || !existing.log) continue
      const replaced = await transport.send(mkey, {
        opcode: Opcode.set,
        key: mkey,
        extras,
        value: encodeItem(existing.log, expiresAt, value),
        cas: existing.reply.cas,
      })
      if (replaced.status === Status.ok) return true
      if (replaced.status !== Status.exists && replaced.status !== Status.notFound) {
        expectStored(replaced, key, value)
      }
    }
    return false
  }

  /** One multi-get per server; without a server, per-key GETs (which fail as memjs does). */
  const readAll = async (server: MemjsServer | undefined, mkeys: readonly string[]) => {
    if (server !== undefined) return transport.getMany(server, mkeys)
    const replies = await Promise.all(mkeys.map(get))
    return new Map(mkeys.map((mkey, index) => [mkey, replies[index] as Reply]))
  }

  /**
   * Batch read: per server, one read of its clear log and one multi-get of its distinct
   * keys, pipelined; then `each` per distinct key with its reply and its server's log.
   */
  const forEachServer = async (
    keys: readonly string[],
    mkeys: readonly string[],
    each: (key: string, mkey: string, reply: Reply, log: ClearLog | undefined) => void,
  ) => {
    const groups = new Map<MemjsServer | undefined, Map<string, string>>()
    mkeys.forEach((mkey, index) => {
      const server = transport.serverFor(mkey)
      const group = groups.get(server) ?? new Map<string, string>()
      group.set(mkey, keys[index] as string)
      groups.set(server, group)
    })
    await Promise.all(
      [...groups].map(async ([server, group]) => {
        const entries = [...group]
        const [log, replies] = await Promise.all([
          logs.read(entries[0]?.[0] as string),
          readAll(server, [...group.keys()]),
        ])
        entries.forEach(([mkey, key]) => {
          each(key, mkey, replies.get(mkey) as Reply, log)
        })
      }),
    )
  }

  const capabilities: StoreCapabilities = {
    batch: true,
    add: true,
    keys: false,
    ttlGranularity: 's',
    maxValueBytes,
  }

  return {
    name: NAME,
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities,
    client,

    get(key) {
      // The hot path: one promise for the whole call, callbacks inside (see `readWith`).
      let mkey: string
      try {
        mkey = mapKey(key)
      } catch (error) {
        return Promise.reject(error)
      }
      if (closed) return Promise.reject(new ClosedError(`${NAME} store`))
      return guard.call<Uint8Array | undefined>((resolve, reject) => {
        logs.readWith(
          mkey,
          (reply, log) => {
            try {
              resolve(liveValue(key, reply, log))
            } catch (error) {
              reject(error)
            }
          },
          reject,
        )
      }, key)
    },

    async set(key, value, expiresAt) {
      const mkey = mapKey(key)
      checkExpiry(expiresAt)
      checkSize(key, value)
      return run(() => write(key, mkey, value, expiresAt), key)
    },

    async delete(key) {
      const mkey = mapKey(key)
      return run(() => deleteLive(key, mkey), key)
    },

    async add(key, value, expiresAt) {
      const mkey = mapKey(key)
      checkExpiry(expiresAt)
      checkSize(key, value)
      return run(async () => {
        if (expiresAt <= Date.now()) return (await readLive(key, mkey)).value === undefined
        return add(key, mkey, value, expiresAt)
      }, key)
    },

    async clear(prefix) {
      assertPrefix(prefix)
      return run(() => logs.recordClear(prefix))
    },

    async getMany(keys) {
      const mkeys = keys.map(mapKey)
      return run(async () => {
        const found = new Map<string, Uint8Array | undefined>()
        await forEachServer(keys, mkeys, (key, mkey, reply, log) => {
          found.set(mkey, liveValue(key, reply, log))
        })
        return mkeys.map((mkey) => found.get(mkey))
      })
    },

    async setMany(entries) {
      const last = new Map<string, StoreWrite>()
      for (const entry of entries) {
        const mkey = mapKey(entry.key)
        checkExpiry(entry.expiresAt)
        checkSize(entry.key, entry.value)
        last.set(mkey, entry)
      }
      return run(async () => {
        await Promise.all(
          [...last].map(([mkey, entry]) => write(entry.key, mkey, entry.value, entry.expiresAt)),
        )
      })
    },

    async deleteMany(keys) {
      const mkeys = keys.map(mapKey)
      return run(async () => {
        let removed = 0
        const reads = forEachServer(keys, mkeys, (key, _mkey, reply, log) => {
          if (liveValue(key, reply, log) !== undefined) removed++
        })
        // Sent right behind the GETs on each server's socket: one round trip in all.
        const distinct = new Map(mkeys.map((mkey, index) => [mkey, keys[index] as string]))
        const deletions = [...distinct].map(async ([mkey, key]) => {
          expectStatus(await del(mkey), key, Status.ok, Status.notFound)
        })
        await Promise.all([reads, ...deletions])
        return removed
      })
    },

    async checkSetup() {
      return run(() => evictionWarnings(transport))
    },

    async close() {
      if (closed) return
      closed = true
      if (owned) client.close()
    },
  }

  function expectStored(reply: Reply, key: string, value: Uint8Array): void {
    if (reply.status === Status.tooLarge) {
      throw new ValueTooLargeError(key, value.byteLength, maxValueBytes)
    }
    expectStatus(reply, key, Status.ok)
  }
}

function expectStatus(reply: Reply, key: string, ...expected: number[]): void {
  if (!expected.includes(reply.status)) {
    throw new StoreUnavailableError(
      NAME,
      `unexpected status 0x${reply.status.toString(16)} (${reply.value.toString().slice(0, 100)})`,
      undefined,
      key,
    )
  }
}

function checkExpiry(expiresAt: number): void {
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
    throw new InvalidOptionError(
      'expiresAt',
      `expiresAt must be epoch ms or Infinity, got ${String(expiresAt)}`,
    )
  }
}

import { deflateRawSync } from 'node:zlib'
import {
  ClosedError,
  InvalidKeyError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreWarning,
  type StoreWrite,
  ValueTooLargeError,
} from '@stack/core'
import {
  assertKey,
  assertPrefix,
  assertTombstoneUntil,
  assertVersion,
  assertWrite,
  readOptions,
  refusesVersion,
} from '@stack/core/store-kit'
import { MAP_STORE_OPTIONS, type MapEntry, type MapStoreOptions } from './map-store-options.ts'

export type { MapBackend, MapEntry, MapStoreFaults, MapStoreOptions } from './map-store-options.ts'

/** PostgreSQL's B-tree row limit, in bytes. */
const KEY_ROW_LIMIT = 2704

let writes = 0

/** A small correct in-memory RemoteStore (unless given faults), to test the suite with. */
export function mapStore(options: MapStoreOptions = {}): RemoteStore {
  const faults = options.faults ?? {}
  if (!faults.acceptsUnknownOptions)
    readOptions(options, MAP_STORE_OPTIONS, { factory: 'mapStore' })
  const granularity = options.ttlGranularity ?? 'ms'
  const now = options.now ?? Date.now
  const entries = options.backend ?? new Map<string, MapEntry>()
  const namespace = options.namespace ?? ''
  const localClears: { readonly prefix: string; readonly at: number }[] = []
  const ownWrites = new Set<string>()
  let closed = false
  const capabilities: StoreCapabilities = {
    batch: !options.minimal,
    add: !options.minimal,
    keys: !options.minimal,
    ttlGranularity: granularity,
    maxKeyBytes: options.maxKeyBytes,
    maxValueBytes: options.maxValueBytes,
    conditionalWrite: options.conditional === true && !options.minimal,
  }

  const open = async () => {
    if (closed && !faults.ignoresClose) throw new ClosedError('map store')
  }
  const checkKey = (key: string) => {
    if (!faults.acceptsAnyKey) assertKey(key)
  }
  const checkWrite = (key: string, value: Uint8Array, expiresAt: number) => {
    if (!faults.acceptsAnyValue)
      assertWrite(key, value, faults.nanExpiryNeverExpires ? 0 : expiresAt)
  }
  const checkPrefix = (prefix: string) => {
    if (!faults.prefixDefaultsToEmpty) assertPrefix(prefix)
    return prefix ?? ''
  }
  const normalise = (text: string) => (faults.normalisesPrefixes ? text.normalize('NFC') : text)
  const storageKey = (key: string) => {
    checkKey(key)
    if (options.maxKeyBytes !== undefined && Buffer.byteLength(key) > options.maxKeyBytes) {
      throw new InvalidKeyError(`key is over ${options.maxKeyBytes} bytes`, key)
    }
    if (faults.keyRowLimit && deflateRawSync(key).byteLength > KEY_ROW_LIMIT) {
      throw new Error('index row size exceeds btree maximum')
    }
    if (faults.utf8Keys) return namespace + Buffer.from(key).toString()
    return namespace + (faults.truncatesKeys ? key.slice(0, 250) : key)
  }
  const ownKeys = () =>
    [...entries.keys()].filter((stored) => stored.startsWith(namespace) || faults.wipesBackend)
  const clearedLocally = (key: string, entry: MapEntry) =>
    localClears.some(({ prefix, at }) => at > entry.written && key.startsWith(prefix))
  const copy = (bytes: Uint8Array) => (faults.sharesArrays ? bytes : bytes.slice())
  const result = (bytes: Uint8Array): Uint8Array => {
    if (faults.returnsArrayBuffer) return copy(bytes).buffer as unknown as Uint8Array
    return faults.returnsBuffers ? Buffer.from(bytes) : copy(bytes)
  }
  const isLive = (entry: MapEntry) =>
    faults.liveAtExpiry ? entry.expiresAt >= now() : entry.expiresAt > now()
  /** The live entry under `key`; `ignoreExpiry` models an operation that forgets expiry. */
  const live = (key: string, ignoreExpiry = false) => {
    const storedKey = storageKey(key)
    const entry = entries.get(storedKey)
    if (entry === undefined || entry.tombstone || clearedLocally(storedKey, entry)) return undefined
    return ignoreExpiry || isLive(entry) ? entry : undefined
  }
  const physicalExpiry = (expiresAt: number) => {
    if (faults.keepsPastExpiry && expiresAt <= now()) return Infinity
    if (Number.isNaN(expiresAt)) return Infinity
    if (!Number.isFinite(expiresAt)) return expiresAt
    if (faults.truncatesToSeconds) return Math.floor(expiresAt / 1000) * 1000
    if (faults.msRoundedUpToSeconds) return Math.ceil(expiresAt / 1000) * 1000
    if (granularity === 'ms') return expiresAt
    return faults.roundsSecondsDown
      ? Math.floor(expiresAt / 1000) * 1000
      : Math.ceil(expiresAt / 1000) * 1000
  }
  const write = (key: string, value: Uint8Array, expiresAt: number, version?: number) => {
    const storedKey = storageKey(key)
    checkWrite(key, value, expiresAt)
    if (options.maxValueBytes !== undefined && value.byteLength > options.maxValueBytes) {
      if (faults.dropsLargeValues) return
      throw new ValueTooLargeError(key, value.byteLength, options.maxValueBytes)
    }
    if (expiresAt <= now() && !faults.keepsPastExpiry) entries.delete(storedKey)
    else {
      const entry = {
        value: copy(value),
        expiresAt: physicalExpiry(expiresAt),
        written: ++writes,
        version,
      }
      entries.set(storedKey, entry)
      ownWrites.add(storedKey)
    }
  }
  const remove = (key: string) => {
    const wasLive = live(key, faults.deleteIgnoresExpiry) !== undefined
    if (wasLive || entries.get(storageKey(key))?.tombstone) entries.delete(storageKey(key))
    return wasLive
  }
  /** The version `key` holds now: its live value's or live tombstone's. */
  const heldVersion = (key: string) => {
    const storedKey = storageKey(key)
    const entry = entries.get(storedKey)
    if (entry === undefined || clearedLocally(storedKey, entry)) return undefined
    const live =
      faults.tombstoneLiveAtExpiry && entry.tombstone ? entry.expiresAt >= now() : isLive(entry)
    return live ? entry.version : undefined
  }
  const startsWith = (storedKey: string, prefix: string) => {
    const key = storedKey.slice(namespace.length)
    if (faults.keysBySubstring) return key.includes(prefix)
    return normalise(key).startsWith(normalise(prefix))
  }

  const store: RemoteStore = {
    name: 'map',
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities,
    async get(key) {
      await open()
      const entry = live(key, true)
      if (entry !== undefined && !isLive(entry)) {
        entries.delete(storageKey(key)) // purge on read, as many stores do
        return undefined
      }
      return entry && result(entry.value)
    },
    async set(key, value, expiresAt) {
      await open()
      write(key, value, expiresAt)
    },
    async delete(key) {
      await open()
      return remove(key)
    },
    async clear(prefix) {
      await open()
      const literal = checkPrefix(prefix)
      const matches = faults.clearAsGlob
        ? (key: string) => globToRegExp(`${namespace}${literal}*`).test(key)
        : (key: string) => startsWith(key, literal)
      if (faults.localClearLog) {
        localClears.push({ prefix: namespace + literal, at: ++writes })
        return
      }
      const candidates = faults.clearsOwnWritesOnly ? [...ownWrites] : ownKeys()
      for (const key of candidates) if (faults.wipesBackend || matches(key)) entries.delete(key)
    },
    async close() {
      closed = true
    },
  }
  if (options.minimal) return store

  /** A backend with nothing to warn about (or, with the fault, a malformed warning). */
  const checkSetup = async () => {
    await open()
    return faults.codelessSetupWarning ? [{ message: 'evicts' } as StoreWarning] : []
  }

  return {
    ...store,
    checkSetup,
    async getMany(keys) {
      await open()
      return keys.map((key) => {
        const entry = live(key, faults.getManyIgnoresExpiry)
        return entry && result(entry.value)
      })
    },
    async setMany(batch: readonly StoreWrite[]) {
      await open()
      // Validate every write first, so a rejected batch writes nothing.
      if (!faults.setManyWritesUntilInvalid) {
        for (const { key, value, expiresAt } of batch) {
          storageKey(key)
          checkWrite(key, value, expiresAt)
          checkSize(key, value)
        }
      }
      for (const { key, value, expiresAt } of batch) write(key, value, expiresAt)
    },
    async deleteMany(keys) {
      await open()
      const distinct = faults.deleteManyCountsDuplicates ? keys : [...new Set(keys)]
      const wereLive = distinct.map((key) => live(key) !== undefined)
      for (const key of distinct) remove(key)
      return wereLive.filter(Boolean).length
    },
    async add(key, value, expiresAt) {
      await open()
      checkWrite(key, value, expiresAt)
      if (live(key, faults.addIgnoresExpiry) !== undefined) return false
      if (faults.racyAdd) await new Promise((resolve) => setImmediate(resolve))
      write(key, value, expiresAt)
      return true
    },
    keys(prefix) {
      if (faults.keysThrowAtCall && closed) throw new ClosedError('map store')
      return listKeys(prefix)
    },
    ...(options.conditional && {
      async setIfNewer(key: string, value: Uint8Array, expiresAt: number, version: number) {
        await open()
        storageKey(key)
        checkWrite(key, value, expiresAt)
        checkSize(key, value)
        assertVersion(key, version)
        const refused = refusesVersion(heldVersion(key), version)
        if (faults.racyConditional) await new Promise((resolve) => setImmediate(resolve))
        if (refused && !faults.conditionalIgnoresVersion) return false
        write(key, value, expiresAt, version)
        return true
      },
      async deleteIfNewer(key: string, version: number, tombstoneUntil: number) {
        await open()
        const storedKey = storageKey(key)
        assertVersion(key, version)
        assertTombstoneUntil(key, tombstoneUntil)
        if (refusesVersion(heldVersion(key), version)) return false
        const wasLive = live(key) !== undefined
        if (faults.deleteLeavesNoTombstone || tombstoneUntil <= now()) entries.delete(storedKey)
        else {
          const tombstone = {
            value: new Uint8Array(0),
            expiresAt: tombstoneUntil,
            written: ++writes,
          }
          entries.set(storedKey, { ...tombstone, version, tombstone: true })
        }
        return wasLive
      },
    }),
  }

  async function* listKeys(prefix: string): AsyncIterable<string> {
    await open()
    const literal = checkPrefix(prefix)
    for (const [key, entry] of [...entries]) {
      if (!key.startsWith(namespace)) continue
      const visible =
        (faults.keysIgnoreExpiry || isLive(entry)) &&
        !clearedLocally(key, entry) &&
        !entry.tombstone
      if (startsWith(key, literal) && visible) yield key.slice(namespace.length)
    }
  }

  function checkSize(key: string, value: Uint8Array) {
    const limit = options.maxValueBytes
    if (limit !== undefined && value.byteLength > limit && !faults.dropsLargeValues) {
      throw new ValueTooLargeError(key, value.byteLength, limit)
    }
  }
}

/** `*` and `?` as glob wildcards, every other character literal: the bug under test. */
function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((char) => {
      if (char === '*') return '.*'
      if (char === '?') return '.'
      return char.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
    })
    .join('')
  return new RegExp(`^${body}$`, 's')
}

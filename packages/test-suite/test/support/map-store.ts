import { deflateRawSync } from 'node:zlib'
import {
  ClosedError,
  InvalidKeyError,
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreWrite,
  ValueTooLargeError,
} from '@stack/core'

/**
 * Bugs a {@link mapStore} can be given, each one a mistake real stores make. The suite
 * must catch every one of them.
 */
export interface MapStoreFaults {
  /** clear() matches `prefix*` as an unescaped glob, as a naive Redis SCAN MATCH does. */
  readonly clearAsGlob?: boolean
  /** An expiry in the past is stored as "never expires" (a relative TTL <= 0 read as none). */
  readonly keepsPastExpiry?: boolean
  /** Keeps and returns the caller's arrays instead of copies. */
  readonly sharesArrays?: boolean
  /** A seconds store that rounds expiries down instead of up. */
  readonly roundsSecondsDown?: boolean
  /** add() is get-then-set across an await, yet capabilities.add is true. */
  readonly racyAdd?: boolean
  /** Calls after close() still work. */
  readonly ignoresClose?: boolean
  /** Keys are cut to 250 characters, so long keys sharing a start collide. */
  readonly truncatesKeys?: boolean
  /** Values over maxValueBytes are silently dropped instead of rejected. */
  readonly dropsLargeValues?: boolean
  /** deleteMany counts a key listed twice twice. */
  readonly deleteManyCountsDuplicates?: boolean
  /** Keys go through UTF-8 unchecked, so every lone surrogate becomes U+FFFD. */
  readonly utf8Keys?: boolean
  /**
   * Keys over a B-tree's row limit after compression fail with a plain error, as a text
   * primary key does in SQL databases.
   */
  readonly keyRowLimit?: boolean
  /** clear() is noted in this instance only, so other instances still read cleared keys. */
  readonly localClearLog?: boolean
}

/** PostgreSQL's B-tree row limit, in bytes. */
const KEY_ROW_LIMIT = 2704

/** Where map stores keep their entries; stores given the same one share it. */
export type MapBackend = Map<string, MapEntry>

export interface MapStoreOptions {
  readonly faults?: MapStoreFaults
  readonly ttlGranularity?: 'ms' | 's'
  readonly maxKeyBytes?: number
  readonly maxValueBytes?: number
  /** Leave out every optional method, so only core's fallbacks provide them. */
  readonly minimal?: boolean
  /** Entries shared with other map stores given the same backend; a private one if absent. */
  readonly backend?: MapBackend
}

export interface MapEntry {
  readonly value: Uint8Array
  readonly expiresAt: number
  /** Write order, across every map store, for the `localClearLog` fault. */
  readonly written: number
}

let writes = 0

/** A small correct in-memory RemoteStore (unless given faults), to test the suite with. */
export function mapStore(options: MapStoreOptions = {}): RemoteStore {
  const faults = options.faults ?? {}
  const granularity = options.ttlGranularity ?? 'ms'
  const entries: MapBackend = options.backend ?? new Map()
  const localClears: { readonly prefix: string; readonly at: number }[] = []
  let closed = false
  const capabilities: StoreCapabilities = {
    batch: !options.minimal,
    add: !options.minimal,
    keys: !options.minimal,
    ttlGranularity: granularity,
    maxKeyBytes: options.maxKeyBytes,
    maxValueBytes: options.maxValueBytes,
  }

  const open = async () => {
    if (closed && !faults.ignoresClose) throw new ClosedError('map store')
  }
  const storageKey = (key: string) => {
    if (options.maxKeyBytes !== undefined && Buffer.byteLength(key) > options.maxKeyBytes) {
      throw new InvalidKeyError(`key is over ${options.maxKeyBytes} bytes`, key)
    }
    if (faults.keyRowLimit && deflateRawSync(key).byteLength > KEY_ROW_LIMIT) {
      throw new Error('index row size exceeds btree maximum')
    }
    if (faults.utf8Keys) return Buffer.from(key).toString()
    return faults.truncatesKeys ? key.slice(0, 250) : key
  }
  const clearedLocally = (key: string, entry: MapEntry) =>
    localClears.some(({ prefix, at }) => at > entry.written && key.startsWith(prefix))
  const copy = (bytes: Uint8Array) => (faults.sharesArrays ? bytes : bytes.slice())
  const live = (key: string) => {
    const storedKey = storageKey(key)
    const entry = entries.get(storedKey)
    if (entry === undefined || clearedLocally(storedKey, entry)) return undefined
    return entry.expiresAt > Date.now() ? entry : undefined
  }
  const physicalExpiry = (expiresAt: number) => {
    if (faults.keepsPastExpiry && expiresAt <= Date.now()) return Infinity
    if (granularity === 'ms' || !Number.isFinite(expiresAt)) return expiresAt
    return faults.roundsSecondsDown
      ? Math.floor(expiresAt / 1000) * 1000
      : Math.ceil(expiresAt / 1000) * 1000
  }
  const write = (key: string, value: Uint8Array, expiresAt: number) => {
    const storedKey = storageKey(key)
    if (options.maxValueBytes !== undefined && value.byteLength > options.maxValueBytes) {
      if (faults.dropsLargeValues) return
      throw new ValueTooLargeError(key, value.byteLength, options.maxValueBytes)
    }
    if (expiresAt <= Date.now() && !faults.keepsPastExpiry) entries.delete(storedKey)
    else {
      const entry = { value: copy(value), expiresAt: physicalExpiry(expiresAt), written: ++writes }
      entries.set(storedKey, entry)
    }
  }
  const remove = (key: string) => live(key) !== undefined && entries.delete(storageKey(key))

  const store: RemoteStore = {
    name: 'map',
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities,
    async get(key) {
      await open()
      const entry = live(key)
      return entry && copy(entry.value)
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
      const matches = faults.clearAsGlob
        ? (key: string) => globToRegExp(`${prefix}*`).test(key)
        : (key: string) => key.startsWith(prefix)
      if (faults.localClearLog) {
        localClears.push({ prefix, at: ++writes })
        return
      }
      for (const key of [...entries.keys()]) if (matches(key)) entries.delete(key)
    },
    async close() {
      closed = true
    },
  }
  if (options.minimal) return store

  return {
    ...store,
    async getMany(keys) {
      await open()
      return keys.map((key) => {
        const entry = live(key)
        return entry && copy(entry.value)
      })
    },
    async setMany(writes: readonly StoreWrite[]) {
      await open()
      // Validate every write first, so a rejected batch writes nothing.
      for (const { key, value } of writes) {
        storageKey(key)
        checkSize(key, value)
      }
      for (const { key, value, expiresAt } of writes) write(key, value, expiresAt)
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
      if (live(key) !== undefined) return false
      if (faults.racyAdd) await new Promise((resolve) => setImmediate(resolve))
      write(key, value, expiresAt)
      return true
    },
    async *keys(prefix) {
      await open()
      for (const [key, entry] of [...entries]) {
        const visible = entry.expiresAt > Date.now() && !clearedLocally(key, entry)
        if (key.startsWith(prefix) && visible) yield key
      }
    },
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

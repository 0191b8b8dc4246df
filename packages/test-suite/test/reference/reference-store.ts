import { ClosedError, type RemoteStore, STORE_CONTRACT_VERSION, type StoreWrite } from '@stack/core'
import {
  assertKey,
  assertWrite,
  clearByScan,
  isExpired,
  keysByScan,
  type OptionNames,
  readOptions,
} from '@stack/core/store-kit'

export interface ReferenceStoreOptions {
  readonly entries?: Map<string, StoreWrite> // the backend; stores given one map share it
  readonly namespace?: string // prefix of this store's keys in `entries`, default ''
  readonly now?: () => number // the clock expiry is judged against, default Date.now
}

const OPTIONS: OptionNames<ReferenceStoreOptions> = { entries: true, namespace: true, now: true }

/** A complete `RemoteStore` on a `Map`: the kit checks input and lists and clears keys. */
export function referenceStore(options: ReferenceStoreOptions = {}): RemoteStore {
  readOptions(options, OPTIONS, { factory: 'referenceStore', optional: true })
  const { entries = new Map<string, StoreWrite>(), namespace = '', now = Date.now } = options
  let closed = false
  const open = () => {
    if (closed) throw new ClosedError('reference')
  }
  const live = (key: string) => {
    open()
    assertKey(key)
    const entry = entries.get(namespace + key)
    return entry && !isExpired(entry.expiresAt, now()) ? entry : undefined
  }
  const write = ({ key, value, expiresAt }: StoreWrite) => {
    if (isExpired(expiresAt, now())) entries.delete(namespace + key)
    else entries.set(namespace + key, { key, value: value.slice(), expiresAt })
  }
  const check = ({ key, value, expiresAt }: StoreWrite) => {
    open()
    assertKey(key)
    assertWrite(key, value, expiresAt)
  }
  // The kit keeps the keys of the scan that start with the prefix, code unit by code unit.
  const source = {
    scan: () => {
      open()
      return [...entries].filter(([stored]) => stored.startsWith(namespace)).map(([, e]) => e)
    },
    remove: (key: string) => entries.delete(namespace + key),
    now,
  }

  return {
    name: 'reference',
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities: { batch: true, add: true, keys: true, ttlGranularity: 'ms' },
    get: async (key) => live(key)?.value.slice(),
    getMany: async (keys) => keys.map((key) => live(key)?.value.slice()),
    set: async (key, value, expiresAt) => {
      check({ key, value, expiresAt })
      write({ key, value, expiresAt })
    },
    setMany: async (batch) => {
      batch.forEach(check) // all or nothing: check every entry before writing any
      batch.forEach(write)
    },
    delete: async (key) => live(key) !== undefined && entries.delete(namespace + key),
    deleteMany: async (keys) => {
      const removed = [...new Set(keys)].filter((key) => live(key) !== undefined)
      for (const key of removed) entries.delete(namespace + key)
      return removed.length
    },
    add: async (key, value, expiresAt) => {
      check({ key, value, expiresAt })
      if (live(key) !== undefined) return false
      write({ key, value, expiresAt })
      return true
    },
    clear: (prefix) => clearByScan(source, prefix),
    keys: (prefix) => keysByScan(source, prefix), // errors reject the iteration, not the call
    close: async () => {
      closed = true
    },
  }
}

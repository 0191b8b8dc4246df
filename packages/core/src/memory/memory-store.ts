import { InvalidKeyError, InvalidOptionError, ValueTooLargeError } from '../errors.js'
import {
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreWrite,
} from '../store.js'
import { type OptionNames, readOptions } from '../store-kit/options.js'
import { MemoryTier } from './memory-tier.js'
import type { MemoryOptions } from './options.js'

/** Options of {@link memoryStore}: the memory tier's bounds and clock. */
export type MemoryStoreOptions = Pick<
  MemoryOptions<Uint8Array>,
  'name' | 'maxEntries' | 'maxBytes' | 'policy' | 'clock'
>

const MEMORY_STORE_OPTIONS: OptionNames<MemoryStoreOptions> = {
  name: true,
  maxEntries: true,
  maxBytes: true,
  policy: true,
  clock: true,
}

/**
 * A {@link RemoteStore} kept in this process: a {@link MemoryTier} of bytes behind the
 * asynchronous store contract. Values are copied in and out, so callers never share a
 * buffer with the store; sizes are byte lengths, so `maxBytes` bounds the payload bytes.
 *
 * Use it in tests, and as an in-process stand-in for a remote tier. It is not shared
 * between processes, and `add` is atomic only within this process.
 *
 * @example
 * ```ts
 * import { memoryStore } from '@stack/core'
 *
 * const store = memoryStore({ maxEntries: 1_000 })
 * await store.set('greeting', new TextEncoder().encode('hi'), Date.now() + 60_000)
 * await store.get('greeting') // Uint8Array [104, 105]
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): RemoteStore {
  readOptions(options, MEMORY_STORE_OPTIONS, { factory: 'memoryStore' })
  const tier = new MemoryTier<Uint8Array>({
    ...options,
    name: options.name ?? 'memory-store',
    sizeOf: (value) => value.byteLength,
  })
  const capabilities: StoreCapabilities = Object.freeze({
    batch: true,
    add: true,
    keys: true,
    ttlGranularity: 'ms',
    maxValueBytes: options.maxBytes,
  })
  const get = (key: string): Uint8Array | undefined => {
    checkKey(key)
    const value = tier.get(key)
    return value === undefined ? undefined : new Uint8Array(value)
  }
  const check = (key: string, value: Uint8Array, expiresAt: number): void => {
    checkKey(key)
    checkValue(key, value)
    checkExpiresAt(expiresAt)
    // The store contract keeps the previous value when a write is refused; the tier
    // itself would drop it, so refuse oversized values before reaching the tier.
    if (options.maxBytes !== undefined && value.byteLength > options.maxBytes) {
      throw new ValueTooLargeError(key, value.byteLength, options.maxBytes)
    }
  }
  const set = (key: string, value: Uint8Array, expiresAt: number): void => {
    check(key, value, expiresAt)
    tier.set(key, new Uint8Array(value), expiresAt)
  }
  const remove = (key: string): boolean => {
    checkKey(key)
    return tier.delete(key)
  }
  return {
    name: tier.name,
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities,
    get: async (key) => get(key),
    set: async (key, value, expiresAt) => set(key, value, expiresAt),
    delete: async (key) => remove(key),
    clear: async (prefix) => {
      checkPrefix(prefix)
      tier.clear(prefix)
    },
    close: async () => tier.close(),
    getMany: async (keys) => keys.map(get),
    setMany: async (entries: readonly StoreWrite[]) => {
      // Check every entry first: a batch with an invalid entry writes nothing.
      for (const entry of entries) check(entry.key, entry.value, entry.expiresAt)
      for (const entry of entries) set(entry.key, entry.value, entry.expiresAt)
    },
    deleteMany: async (keys) => keys.filter(remove).length,
    add: async (key, value, expiresAt) => {
      checkKey(key)
      if (tier.has(key)) return false
      set(key, value, expiresAt)
      return true
    },
    keys: async function* (prefix) {
      checkPrefix(prefix)
      yield* [...tier.keys(prefix)]
    },
  }
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidKeyError('store keys must be non-empty strings', String(key))
  }
}

function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw new InvalidOptionError('prefix', 'clear(prefix) and keys(prefix) need a string prefix')
  }
}

function checkValue(key: string, value: unknown): void {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidOptionError('value', `value for key "${key}" must be a Uint8Array`)
  }
}

function checkExpiresAt(expiresAt: unknown): void {
  if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
    throw new InvalidOptionError(
      'expiresAt',
      `expiresAt must be epoch ms, got ${String(expiresAt)}`,
    )
  }
}

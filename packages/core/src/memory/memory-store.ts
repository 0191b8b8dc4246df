import { InvalidKeyError, InvalidOptionError, ValueTooLargeError } from '../errors.js'
import {
  type RemoteStore,
  STORE_CONTRACT_VERSION,
  type StoreCapabilities,
  type StoreWrite,
} from '../store.js'
import { assertTombstoneUntil, assertVersion, refusesVersion } from '../store-kit/conditional.js'
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
 * between processes, and `add` is atomic only within this process. It implements the
 * conditional writes (`setIfNewer`, `deleteIfNewer` with tombstones), so caches sharing
 * one instance behave as processes sharing a conditional backend.
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
  const tier = new MemoryTier<Held>({
    ...options,
    name: options.name ?? 'memory-store',
    sizeOf: (held) => held.bytes.byteLength,
  })
  // Bounded by their own deadlines, not by maxEntries: evicting one early would reopen its window.
  const tombstones = new Tombstones(options.clock ?? Date.now)
  const capabilities: StoreCapabilities = Object.freeze({
    batch: true,
    add: true,
    keys: true,
    ttlGranularity: 'ms',
    maxValueBytes: options.maxBytes,
    conditionalWrite: true,
  })
  const get = (key: string): Uint8Array | undefined => {
    checkKey(key)
    const held = tier.get(key)
    return held === undefined ? undefined : copyOffHeap(held.bytes)
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
  const write = (key: string, value: Uint8Array, expiresAt: number, version?: number): void => {
    tombstones.delete(key)
    tier.set(key, { bytes: new Uint8Array(value), version }, expiresAt)
  }
  const set = (key: string, value: Uint8Array, expiresAt: number): void => {
    check(key, value, expiresAt)
    write(key, value, expiresAt)
  }
  const remove = (key: string): boolean => {
    checkKey(key)
    tombstones.delete(key)
    return tier.delete(key)
  }
  /** The newest version `key` holds now: its live value's or its live tombstone's. */
  const heldVersion = (key: string): number | undefined =>
    tier.peek(key)?.version ?? tombstones.peek(key)
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
      tombstones.clear(prefix)
    },
    close: async () => {
      tier.close()
      tombstones.clear('')
    },
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
    setIfNewer: async (key, value, expiresAt, version) => {
      check(key, value, expiresAt)
      assertVersion(key, version)
      if (refusesVersion(heldVersion(key), version)) return false
      write(key, value, expiresAt, version)
      return true
    },
    deleteIfNewer: async (key, version, tombstoneUntil) => {
      checkKey(key)
      assertVersion(key, version)
      assertTombstoneUntil(key, tombstoneUntil)
      if (refusesVersion(heldVersion(key), version)) return false
      const removed = tier.delete(key)
      tombstones.set(key, version, tombstoneUntil)
      return removed
    },
  }
}

/** The tombstones of `deleteIfNewer`: key → version, until each one's deadline. */
class Tombstones {
  readonly #clock: () => number
  readonly #byKey = new Map<string, { readonly version: number; readonly until: number }>()
  /** Size after the last sweep of expired tombstones; the next sweep runs at twice it. */
  #swept = 0

  constructor(clock: () => number) {
    this.#clock = clock
  }

  /** The version of `key`'s live tombstone, if any. */
  peek(key: string): number | undefined {
    const held = this.#byKey.get(key)
    if (held === undefined) return undefined
    if (held.until > this.#clock()) return held.version
    this.#byKey.delete(key)
    return undefined
  }

  set(key: string, version: number, until: number): void {
    if (until <= this.#clock()) {
      this.#byKey.delete(key)
      return
    }
    this.#byKey.set(key, { version, until })
    if (this.#byKey.size >= Math.max(1_024, this.#swept * 2)) this.#sweep()
  }

  delete(key: string): void {
    this.#byKey.delete(key)
  }

  clear(prefix: string): void {
    for (const key of this.#byKey.keys()) if (key.startsWith(prefix)) this.#byKey.delete(key)
  }

  #sweep(): void {
    const now = this.#clock()
    for (const [key, held] of this.#byKey) if (held.until <= now) this.#byKey.delete(key)
    this.#swept = this.#byKey.size
  }
}

/** A value as the store holds it: the bytes and the version of a conditional write. */
interface Held {
  readonly bytes: Uint8Array
  readonly version: number | undefined
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

/** Copies are carved from shared slabs of this size, as Node carves small `Buffer`s. */
const SLAB_BYTES = 64 * 1024
let slab = new ArrayBuffer(SLAB_BYTES)
let slabUsed = 0

/**
 * A copy in off-heap memory, as network clients return theirs. A small `new
 * Uint8Array(bytes)` lives on the V8 heap, and the first view taken of it (the
 * envelope's payload, say) moves it off the heap at a cost of its own; an `ArrayBuffer`
 * per copy costs more still, hence the slabs.
 */
function copyOffHeap(bytes: Uint8Array): Uint8Array {
  const length = bytes.byteLength
  if (length > SLAB_BYTES / 8) return bytes.slice()
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES)
    slabUsed = 0
  }
  const copy = new Uint8Array(slab, slabUsed, length)
  slabUsed += (length + 7) & ~7
  copy.set(bytes)
  return copy
}

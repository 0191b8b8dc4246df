import { InvalidKeyError, UnsupportedError } from './errors.js'
import type { RemoteStore, StoreWrite } from './store.js'
import { assertKey, assertWrite } from './store-kit/validate.js'

const utf8 = new TextEncoder()

/** The optional methods of {@link RemoteStore} that {@link completeStore} fills in. */
export type OptionalStoreMethod = 'getMany' | 'setMany' | 'deleteMany' | 'add' | 'keys'

/** A {@link RemoteStore} with every optional method present, native or fallback. */
export type CompleteStore = RemoteStore & Required<Pick<RemoteStore, OptionalStoreMethod>>

/**
 * Fills the optional methods a store lacks with core's fallbacks, so callers can use
 * every method without checking for it. Native methods are kept; `capabilities` is the
 * store's own, so `capabilities.batch` and `capabilities.add` still say what is native.
 *
 * Fallbacks:
 * - `getMany`: parallel `get`s, one per key, in order.
 * - `setMany`: checks every entry first (key, value, expiry, the store's declared size
 *   limits), so an invalid entry rejects the batch before anything is written; then
 *   parallel `set`s; for a key listed twice only the last entry is written.
 * - `deleteMany`: parallel `delete`s of the distinct keys; resolves how many were live.
 * - `add`: `get`, then `set` when absent. **Not atomic**: two concurrent callers can both
 *   win, so it must not back a lock (that is what `capabilities.add === false` says).
 * - `keys`: iterating it rejects with `UnsupportedError`; there is no portable fallback.
 *
 * `checkSetup`, `setIfNewer` and `deleteIfNewer` have no fallback (a conditional write
 * made of a read and a write would not be atomic): they are passed through when the store
 * has them.
 *
 * Returns `store` itself when it already implements every optional method.
 *
 * @example
 * ```ts
 * const store = completeStore(myStore)
 * const [a, b] = await store.getMany(['a', 'b']) // native batch or parallel gets
 * if (!store.capabilities.add) console.warn('add is not atomic on', store.name)
 * ```
 */
export function completeStore(store: RemoteStore): CompleteStore {
  if (isComplete(store)) return store
  return {
    get name() {
      return store.name
    },
    get contractVersion() {
      return store.contractVersion
    },
    get capabilities() {
      return store.capabilities
    },
    get: (key) => store.get(key),
    set: (key, value, expiresAt) => store.set(key, value, expiresAt),
    delete: (key) => store.delete(key),
    clear: (prefix) => store.clear(prefix),
    close: () => store.close(),
    getMany: store.getMany
      ? (keys) => store.getMany!(keys)
      : (keys) => Promise.all(keys.map((key) => store.get(key))),
    setMany: store.setMany
      ? (entries) => store.setMany!(entries)
      : (entries) => setEach(store, entries),
    deleteMany: store.deleteMany
      ? (keys) => store.deleteMany!(keys)
      : (keys) => deleteEach(store, keys),
    add: store.add
      ? (key, value, expiresAt) => store.add!(key, value, expiresAt)
      : (key, value, expiresAt) => addByGetThenSet(store, key, value, expiresAt),
    keys: store.keys ? (prefix) => store.keys!(prefix) : () => unsupportedKeys(store),
    ...(store.checkSetup && { checkSetup: () => store.checkSetup!() }),
    ...(store.setIfNewer && {
      setIfNewer: (key: string, value: Uint8Array, expiresAt: number, version: number) =>
        store.setIfNewer!(key, value, expiresAt, version),
    }),
    ...(store.deleteIfNewer && {
      deleteIfNewer: (key: string, version: number, tombstoneUntil: number) =>
        store.deleteIfNewer!(key, version, tombstoneUntil),
    }),
    ...(store.stats ? { stats: () => store.stats!() } : {}),
  }
}

function isComplete(store: RemoteStore): store is CompleteStore {
  return (
    typeof store.getMany === 'function' &&
    typeof store.setMany === 'function' &&
    typeof store.deleteMany === 'function' &&
    typeof store.add === 'function' &&
    typeof store.keys === 'function'
  )
}

async function setEach(store: RemoteStore, entries: readonly StoreWrite[]): Promise<void> {
  const { maxKeyBytes, maxValueBytes } = store.capabilities
  for (const { key, value, expiresAt } of entries) {
    assertKey(key)
    if (maxKeyBytes !== undefined && utf8.encode(key).byteLength > maxKeyBytes) {
      throw new InvalidKeyError(`key is over ${maxKeyBytes} bytes (maxKeyBytes)`, key)
    }
    assertWrite(key, value, expiresAt, maxValueBytes)
  }
  // Parallel writes to one key would race; keep only the last write of each key.
  const lastWrites = new Map<string, StoreWrite>()
  for (const entry of entries) lastWrites.set(entry.key, entry)
  await Promise.all(
    [...lastWrites.values()].map((entry) => store.set(entry.key, entry.value, entry.expiresAt)),
  )
}

async function deleteEach(store: RemoteStore, keys: readonly string[]): Promise<number> {
  const removed = await Promise.all([...new Set(keys)].map((key) => store.delete(key)))
  return removed.filter(Boolean).length
}

async function addByGetThenSet(
  store: RemoteStore,
  key: string,
  value: Uint8Array,
  expiresAt: number,
): Promise<boolean> {
  if ((await store.get(key)) !== undefined) return false
  await store.set(key, value, expiresAt)
  return true
}

// biome-ignore lint/correctness/useYield: rejects on first iteration, by design.
async function* unsupportedKeys(store: RemoteStore): AsyncIterable<string> {
  throw new UnsupportedError(`store "${store.name}" cannot list keys (capabilities.keys is false)`)
}

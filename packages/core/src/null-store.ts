import { ClosedError } from './errors.js'
import { type RemoteStore, STORE_CONTRACT_VERSION, type StoreCapabilities } from './store.js'

const NULL_CAPABILITIES: StoreCapabilities = Object.freeze({
  batch: true,
  // Every `add` wins, so it cannot arbitrate a lock.
  add: false,
  keys: true,
  ttlGranularity: 'ms',
})

/**
 * A {@link RemoteStore} that keeps nothing: every write is accepted and dropped, every
 * read is a miss, `delete` finds nothing and `add` always succeeds. Use it to switch a
 * remote tier off without changing the chain's shape, or as a stand-in in tests.
 *
 * Like any store it rejects every call with `ClosedError` once closed.
 *
 * @example
 * ```ts
 * import { nullStore } from '@stack/core'
 *
 * const remote = process.env.REDIS_URL ? redisStore({ url: process.env.REDIS_URL }) : nullStore()
 * await remote.set('user:1', new Uint8Array([1]), Infinity)
 * await remote.get('user:1') // undefined
 * ```
 */
export function nullStore(): RemoteStore {
  let closed = false
  const open = async (): Promise<void> => {
    if (closed) throw new ClosedError('null store')
  }
  return {
    name: 'null',
    contractVersion: STORE_CONTRACT_VERSION,
    capabilities: NULL_CAPABILITIES,
    get: async () => {
      await open()
      return undefined
    },
    set: open,
    delete: async () => {
      await open()
      return false
    },
    clear: open,
    close: async () => {
      closed = true
    },
    getMany: async (keys) => {
      await open()
      return keys.map(() => undefined)
    },
    setMany: open,
    deleteMany: async () => {
      await open()
      return 0
    },
    add: async () => {
      await open()
      return true
    },
    // biome-ignore lint/correctness/useYield: the null store lists no keys.
    keys: async function* () {
      await open()
    },
  }
}

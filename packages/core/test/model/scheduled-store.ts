import type fc from 'fast-check'
import type { RemoteStore } from '../../src/index.js'

/**
 * Wraps a store so that each call reaches it only when the fast-check scheduler says
 * so, and calls from concurrent cache operations interleave in every order the
 * scheduler tries. Like one connection to Redis or Memcached, the store applies a
 * client's calls in the order they were made: only when each lands, relative to other
 * tiers, loaders and callers, varies.
 */
export function scheduledStore(inner: RemoteStore, scheduler: fc.Scheduler): RemoteStore {
  let previous: Promise<unknown> = Promise.resolve()
  const later = <R>(label: string, call: () => Promise<R>): Promise<R> => {
    const turn = previous.then(() => scheduler.schedule(Promise.resolve(label), label)).then(call)
    previous = turn.catch(() => undefined)
    return turn
  }
  return {
    name: inner.name,
    contractVersion: inner.contractVersion,
    // Only the required methods (and conditional writes) are wrapped; core's fallbacks provide the rest.
    capabilities: { ...inner.capabilities, batch: false, add: false, keys: false },
    get: (key) => later(`${inner.name}.get ${key}`, () => inner.get(key)),
    set: (key, value, expiresAt) =>
      later(`${inner.name}.set ${key}`, () => inner.set(key, value, expiresAt)),
    delete: (key) => later(`${inner.name}.delete ${key}`, () => inner.delete(key)),
    clear: (prefix) => later(`${inner.name}.clear ${prefix}`, () => inner.clear(prefix)),
    close: () => inner.close(),
    // Conditional writes (core's memoryStore has them) are scheduled like the plain ones.
    ...(inner.setIfNewer && {
      setIfNewer: (key: string, value: Uint8Array, expiresAt: number, version: number) =>
        later(`${inner.name}.setIfNewer ${key}`, () =>
          inner.setIfNewer!(key, value, expiresAt, version),
        ),
    }),
    ...(inner.deleteIfNewer && {
      deleteIfNewer: (key: string, version: number, tombstoneUntil: number) =>
        later(`${inner.name}.deleteIfNewer ${key}`, () =>
          inner.deleteIfNewer!(key, version, tombstoneUntil),
        ),
    }),
  }
}

import { type Cache, createCache, memory, memoryStore, type RemoteStore } from '../../src/index.js'

/** A hand-driven clock for expiry tests. */
export function fakeClock(start = 1_700_000_000_000) {
  let now = start
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}

/** A remote store that can be switched off, to simulate a backend going down. */
export function switchableStore(inner: RemoteStore = memoryStore()) {
  let down = false
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      down ? Promise.reject(new Error('ECONNREFUSED (simulated outage)')) : call(...args)
  const store: RemoteStore = {
    name: 'switchable',
    contractVersion: inner.contractVersion,
    capabilities: inner.capabilities,
    get: guard((key: string) => inner.get(key)),
    set: guard((key: string, value: Uint8Array, expiresAt: number) =>
      inner.set(key, value, expiresAt),
    ),
    delete: guard((key: string) => inner.delete(key)),
    clear: guard((prefix: string) => inner.clear(prefix)),
    close: () => inner.close(),
    ...(inner.setIfNewer && {
      setIfNewer: guard((key: string, value: Uint8Array, expiresAt: number, version: number) =>
        inner.setIfNewer!(key, value, expiresAt, version),
      ),
    }),
    ...(inner.deleteIfNewer && {
      deleteIfNewer: guard((key: string, version: number, tombstoneUntil: number) =>
        inner.deleteIfNewer!(key, version, tombstoneUntil),
      ),
    }),
  }
  return {
    store,
    inner,
    setDown(value: boolean) {
      down = value
    },
  }
}

/** memory → memoryStore → memoryStore with a shared fake clock. */
export function threeTierCache(options: { strict?: boolean } = {}) {
  const clock = fakeClock()
  const local = memory({ clock: clock.now })
  const middle = memoryStore({ clock: clock.now })
  const bottom = memoryStore({ clock: clock.now })
  const cache: Cache = createCache({
    tiers: [local, middle, bottom],
    clock: clock.now,
    ttl: '1m',
    ...options,
  })
  return { cache, clock, local, middle, bottom }
}

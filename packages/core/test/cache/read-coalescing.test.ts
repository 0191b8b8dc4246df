import { describe, expect, test, vi } from 'vitest'
import {
  type CompleteStore,
  completeStore,
  createCache,
  InvalidKeyError,
  InvalidOptionError,
  memory,
  memoryStore,
  type RemoteStore,
  type StoreCapabilities,
  TimeoutError,
} from '../../src/index.js'

/** How a recorded store call reached the store: `get` of one key or `getMany` of several. */
type Call = readonly ['get', string] | readonly ['getMany', readonly string[]]

/**
 * A real memoryStore whose reads are recorded; `getMany` can be replaced to fail, hang or
 * wait for the test, and capabilities extended (e.g. `maxBatchKeys`).
 */
function recordingStore(
  options: {
    capabilities?: Partial<StoreCapabilities>
    getMany?: (keys: readonly string[], real: CompleteStore) => Promise<(Uint8Array | undefined)[]>
    get?: (key: string, real: CompleteStore) => Promise<Uint8Array | undefined>
  } = {},
) {
  const inner = completeStore(memoryStore())
  const calls: Call[] = []
  const store: RemoteStore = {
    name: 'recording',
    contractVersion: inner.contractVersion,
    capabilities: { ...inner.capabilities, ...options.capabilities },
    get: (key) => {
      calls.push(['get', callerKey(key)])
      return options.get ? options.get(key, inner) : inner.get(key)
    },
    getMany: (keys) => {
      calls.push(['getMany', keys.map(callerKey)])
      return options.getMany ? options.getMany(keys, inner) : inner.getMany(keys)
    },
    set: (key, value, expiresAt) => inner.set(key, value, expiresAt),
    setMany: (entries) => inner.setMany(entries),
    delete: (key) => inner.delete(key),
    clear: (prefix) => inner.clear(prefix),
    close: () => inner.close(),
    setIfNewer: (key, value, expiresAt, version) =>
      inner.setIfNewer!(key, value, expiresAt, version),
    deleteIfNewer: (key, version, tombstoneUntil) =>
      inner.deleteIfNewer!(key, version, tombstoneUntil),
  }
  return { store, calls }
}

/** A root cache's full key is `#` + the caller key (docs/engine.md, key layout). */
const callerKey = (fullKey: string) => fullKey.replace(/^#/, '')

const keys = (count: number) => Array.from({ length: count }, (_, i) => `k${i}`)

async function seed(store: RemoteStore, count: number) {
  await createCache({ tiers: [store] }).setMany(keys(count).map((key) => ({ key, value: { key } })))
}

/** A promise the test settles by hand. */
function gate<T>() {
  let open!: (value: T) => void
  let fail!: (error: unknown) => void
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve
    fail = reject
  })
  return { promise, open, fail }
}

describe('read coalescing', () => {
  test('concurrent gets of distinct keys: the first goes at once, the rest of the tick is one getMany', async () => {
    const { store, calls } = recordingStore()
    await seed(store, 100)
    const cache = createCache({ tiers: [store] })
    const values = await Promise.all(keys(100).map((key) => cache.get(key)))
    expect(values).toEqual(keys(100).map((key) => ({ key })))
    expect(calls).toEqual([
      ['get', 'k0'],
      ['getMany', keys(100).slice(1)],
    ])
  })

  test('a key read several times in one batch is fetched once, and each caller gets its own copy', async () => {
    const { store, calls } = recordingStore()
    await seed(store, 2)
    const cache = createCache({ tiers: [store] })
    const [a1, b, a2, a3, b2, b3] = await Promise.all([
      cache.get('k0'), // sent at once: later reads of k0 in this tick share it
      cache.get('k1'),
      cache.get('k0'),
      cache.get('k0'),
      cache.get('k1'),
      cache.get('k1'),
    ])
    // The batch held one distinct key: sent with get.
    expect(calls).toEqual([
      ['get', 'k0'],
      ['get', 'k1'],
    ])
    expect([a1, a2, a3, b, b2, b3]).toEqual([
      { key: 'k0' },
      { key: 'k0' },
      { key: 'k0' },
      { key: 'k1' },
      { key: 'k1' },
      { key: 'k1' },
    ])
    expect(a1).not.toBe(a2)
    expect(a2).not.toBe(a3)
    expect(b).not.toBe(b2)
  })

  test('a lone read is a plain get, and reads in different ticks are different batches', async () => {
    const { store, calls } = recordingStore()
    await seed(store, 3)
    const cache = createCache({ tiers: [store] })
    expect(await cache.get('k0')).toEqual({ key: 'k0' })
    expect(await cache.get('missing')).toBeUndefined()
    const first = cache.get('k1')
    await new Promise((resolve) => setImmediate(resolve))
    const second = cache.get('k2')
    expect(await Promise.all([first, second])).toEqual([{ key: 'k1' }, { key: 'k2' }])
    expect(calls).toEqual([
      ['get', 'k0'],
      ['get', 'missing'],
      ['get', 'k1'],
      ['get', 'k2'],
    ])
  })

  test('a failed batch fails each of its members (strict), or is a counted miss for each', async () => {
    const outage = new Error('ECONNRESET (batch lost)')
    const { store } = recordingStore({ getMany: () => Promise.reject(outage) })
    await seed(store, 5)
    const strict = createCache({ tiers: [store], strict: true, circuitBreaker: false })
    // The first read of the tick goes alone (and succeeds); the other five are one batch.
    const [lead, ...settled] = await Promise.allSettled(
      ['lead', ...keys(5)].map((key) => strict.get(key)),
    )
    expect(lead).toEqual({ status: 'fulfilled', value: undefined })
    settled.forEach((result, i) => {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason
      expect(reason.cause).toBe(outage)
      expect(reason.key).toBe(`#k${i}`) // the key the store saw
    })
    const lenient = createCache({ tiers: [store], circuitBreaker: false })
    const errors: unknown[] = []
    lenient.on('error', (event) => errors.push(event.error))
    expect(await Promise.all(['lead', ...keys(5)].map((key) => lenient.get(key)))).toEqual(
      Array(6).fill(undefined),
    )
    expect(errors).toEqual(Array(5).fill(outage))
    expect(lenient.stats().tiers[0]?.errors).toBe(5)
  })

  test("a batch refused for one bad key is read key by key: the mistake stays its caller's", async () => {
    const refusing = recordingStore({
      getMany: (batch, real) =>
        batch.includes('#bad')
          ? Promise.reject(new InvalidKeyError('this store refuses "bad"', 'bad'))
          : real.getMany(batch),
    })
    await seed(refusing.store, 2)
    const cache = createCache({ tiers: [refusing.store], strict: true })
    expect(await Promise.all(['lead', 'k0', 'bad', 'k1'].map((key) => cache.get(key)))).toEqual([
      undefined,
      { key: 'k0' },
      undefined,
      { key: 'k1' },
    ])
    expect(refusing.calls).toEqual([
      ['get', 'lead'],
      ['getMany', ['k0', 'bad', 'k1']],
      ['get', 'k0'],
      ['get', 'bad'],
      ['get', 'k1'],
    ])
  })

  test('a batch that hangs times out for each member', async () => {
    const { store } = recordingStore({ getMany: () => new Promise(() => undefined) })
    await seed(store, 4)
    const cache = createCache({
      tiers: [store],
      strict: true,
      tierTimeout: 30,
      circuitBreaker: false,
    })
    const [lead, ...settled] = await Promise.allSettled(
      ['lead', ...keys(4)].map((key) => cache.get(key)),
    )
    expect(lead?.status).toBe('fulfilled')
    for (const result of settled) {
      expect(result.status).toBe('rejected')
      expect(TimeoutError.isInstance((result as PromiseRejectedResult).reason)).toBe(true)
    }
  })

  test('a batch is one guarded store call: its failure counts once toward the breaker, and an open circuit fails every member without a call', async () => {
    let down = false
    const outage = () => Promise.reject(new Error('ECONNRESET'))
    const { store, calls } = recordingStore({
      get: (key, real) => (down ? outage() : real.get(key)),
      getMany: (batch, real) => (down ? outage() : real.getMany(batch)),
    })
    await seed(store, 10)
    const cache = createCache({
      tiers: [store],
      circuitBreaker: { failureThreshold: 3, cooldown: '1m' },
    })
    const states: string[] = []
    cache.on('circuit', (event) => states.push(event.state))
    down = true
    const read = () => Promise.all(['lead', ...keys(10)].map((key) => cache.get(key)))
    expect(await read()).toEqual(Array(11).fill(undefined))
    // Two failed store calls (the lead's get and the batch), not eleven: below 3.
    expect(states).toEqual([])
    expect(await read()).toEqual(Array(11).fill(undefined))
    expect(states).toEqual(['open'])
    calls.length = 0
    down = false
    expect(await read()).toEqual(Array(11).fill(undefined))
    expect(calls).toEqual([]) // refused by the open circuit, store untouched
    expect(cache.stats().tiers[0]?.errors).toBe(33) // each member's failure is counted
  })

  test('a decode failure of one member is its own miss; the others are served', async () => {
    const { store } = recordingStore()
    await seed(store, 3)
    await store.set('#k1', new Uint8Array([1, 2, 3]), Date.now() + 60_000)
    const cache = createCache({ tiers: [store] })
    expect(await Promise.all(keys(3).map((key) => cache.get(key)))).toEqual([
      { key: 'k0' },
      undefined,
      { key: 'k2' },
    ])
  })

  test('batches never exceed the store maxBatchKeys, coalesced or called as getMany', async () => {
    const { store, calls } = recordingStore({ capabilities: { maxBatchKeys: 3 } })
    await seed(store, 7)
    const cache = createCache({ tiers: [store] })
    const values = await Promise.all(keys(7).map((key) => cache.get(key)))
    expect(values).toEqual(keys(7).map((key) => ({ key })))
    expect(calls).toEqual([
      ['get', 'k0'],
      ['getMany', ['k1', 'k2', 'k3']],
      ['getMany', ['k4', 'k5', 'k6']],
    ])
    calls.length = 0
    expect(await cache.getMany(keys(7))).toEqual(keys(7).map((key) => ({ key })))
    expect(calls).toEqual([
      ['getMany', ['k0', 'k1', 'k2']],
      ['getMany', ['k3', 'k4', 'k5']],
      ['getMany', ['k6']],
    ])
  })

  test('coalesceReads: false sends one get per read', async () => {
    const { store, calls } = recordingStore()
    await seed(store, 10)
    const cache = createCache({ tiers: [store], coalesceReads: false })
    expect(await Promise.all(keys(10).map((key) => cache.get(key)))).toEqual(
      keys(10).map((key) => ({ key })),
    )
    expect(calls).toEqual(keys(10).map((key) => ['get', key]))
  })

  test('a store without native batches is read key by key', async () => {
    const { store, calls } = recordingStore({ capabilities: { batch: false } })
    await seed(store, 4)
    const cache = createCache({ tiers: [store] })
    await Promise.all(keys(4).map((key) => cache.get(key)))
    expect(calls).toEqual(keys(4).map((key) => ['get', key]))
  })

  test('has, getOrSet hits and a cold memory tier all read through one batch, and backfill', async () => {
    const { store, calls } = recordingStore()
    await seed(store, 10)
    const local = memory()
    const cache = createCache({ tiers: [local, store] })
    const loader = () => 'loaded'
    const hits = await Promise.all(keys(10).map((key) => cache.getOrSet(key, loader)))
    expect(hits).toEqual(keys(10).map((key) => ({ key })))
    expect(calls).toEqual([
      ['get', 'k0'],
      ['getMany', keys(10).slice(1)],
    ])
    expect(local.size).toBe(10)
    calls.length = 0
    const remoteOnly = createCache({ tiers: [store] })
    expect(await Promise.all([...keys(3), 'missing'].map((key) => remoteOnly.has(key)))).toEqual([
      true,
      true,
      true,
      false,
    ])
    expect(calls).toEqual([
      ['get', 'k0'],
      ['getMany', ['k1', 'k2', 'missing']],
    ])
  })

  test('a read issued after a write of its key resolved never joins a batch already sent', async () => {
    const held = gate<void>()
    const { store, calls } = recordingStore({
      getMany: async (batch, real) => {
        const values = await real.getMany(batch)
        await held.promise // the batch's answer (the old values) arrives late
        return values
      },
    })
    await seed(store, 2)
    const cache = createCache({ tiers: [store] })
    const before = Promise.all([cache.get('lead'), cache.get('k0'), cache.get('k1')])
    await new Promise((resolve) => setImmediate(resolve)) // the batch is in flight
    await cache.set('k0', 'new')
    const after = cache.get('k0')
    expect(await after).toBe('new')
    held.open()
    expect(await before).toEqual([undefined, { key: 'k0' }, { key: 'k1' }])
    expect(calls).toEqual([
      ['get', 'lead'],
      ['getMany', ['k0', 'k1']],
      ['get', 'k0'],
    ])
  })

  test('a write issued after a read in the same tick is seen by every later read', async () => {
    const { store } = recordingStore()
    await seed(store, 2)
    const cache = createCache({ tiers: [memory(), store] })
    const read = Promise.all([cache.get('k0'), cache.get('k1')])
    const write = cache.set('k0', 'new')
    const [k0] = await read
    // Overlapping the write, the read may see either value, never anything else...
    expect([{ key: 'k0' }, 'new']).toContainEqual(k0)
    await write
    // ...and once the write resolved, no read sees the old one, in any tier.
    expect(await cache.get('k0')).toBe('new')
    expect(await createCache({ tiers: [store] }).get('k0')).toBe('new')
  })

  test('windowMicros lets reads of the next event-loop turns join the batch', async () => {
    const { store, calls } = recordingStore()
    await seed(store, 2)
    const cache = createCache({ tiers: [store], coalesceReads: { windowMicros: 1_000 } })
    // The window is measured on process.hrtime: held still here, so a slow event-loop
    // turn on a busy machine cannot close it early.
    let now = process.hrtime.bigint()
    const clock = vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => now)
    try {
      const first = cache.get('k0')
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
      const second = cache.get('k1')
      expect(calls).toEqual([])
      now += 1_000_000n // the window (1,000 µs) has passed: the next check sends the batch
      expect(await Promise.all([first, second])).toEqual([{ key: 'k0' }, { key: 'k1' }])
      expect(calls).toEqual([['getMany', ['k0', 'k1']]])
    } finally {
      clock.mockRestore()
    }
  })

  test('bad settings are refused with a code naming the option', () => {
    const store = memoryStore()
    const refused = (build: () => unknown, option: string) => {
      try {
        build()
      } catch (error) {
        expect(InvalidOptionError.isInstance(error)).toBe(true)
        expect((error as InvalidOptionError).code).toBe('E_INVALID_OPTION')
        expect((error as Error).message).toContain(option)
        return
      }
      throw new Error(`accepted a bad ${option}`)
    }
    // @ts-expect-error: not a boolean or an object
    refused(() => createCache({ tiers: [store], coalesceReads: 'yes' }), 'coalesceReads')
    refused(
      () => createCache({ tiers: [store], coalesceReads: { windowMicros: 5_000 } }),
      'windowMicros',
    )
    refused(
      () => createCache({ tiers: [store], coalesceReads: { windowMicros: -1 } }),
      'windowMicros',
    )
    // @ts-expect-error: unknown key
    refused(() => createCache({ tiers: [store], coalesceReads: { window: 10 } }), 'window')
    const broken = { ...store, capabilities: { ...store.capabilities, maxBatchKeys: 0 } }
    refused(() => createCache({ tiers: [broken] }), 'maxBatchKeys')
  })
})

import { InvalidOptionError, ValueTooLargeError } from '@stack/core'
import memjs from 'memjs'
import { afterAll, describe, expect, inject, test } from 'vitest'
import { memcachedStore } from '../src/index.js'
import { clearLogKeys, memcachedKey } from '../src/key-map.js'

const servers = inject('memcachedServers')
const bytes = (text: string) => new TextEncoder().encode(text)
const FOREVER = Number.POSITIVE_INFINITY
const silent = { log: () => undefined }

describe.skipIf(servers.length < 2)('memcachedStore', () => {
  /** One raw client per server, to look at what is stored where. */
  const raw = servers.map((address) => memjs.Client.create(address, { logger: silent }))
  afterAll(() => {
    for (const client of raw) client.close()
  })
  let namespaces = 0
  const fresh = (options: Parameters<typeof memcachedStore>[0] = {}) => {
    const namespace = options.namespace ?? `t${Date.now().toString(36)}${namespaces++}`
    return memcachedStore({ client: servers, timeout: '5s', ...options, namespace })
  }

  test('rejects bad options, naming them', () => {
    expect(() => memcachedStore({ namespace: 'has space' })).toThrowError(InvalidOptionError)
    expect(() => memcachedStore({ namespace: 'a:b' })).toThrowError(/namespace/)
    expect(() => memcachedStore({ maxValueBytes: 0 })).toThrowError(/maxValueBytes/)
    expect(() => memcachedStore({ client: '' })).toThrowError(/client/)
    expect(() => memcachedStore({ ttl: 1 } as never)).toThrowError(
      /unknown option "ttl" for memcachedStore\(\)/,
    )
  })

  test('spreads keys over both servers', async () => {
    const store = fresh({ namespace: 'spread' })
    const keys = Array.from({ length: 100 }, (_, i) => `key-${i}`)
    await store.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: FOREVER })))
    const perServer = await Promise.all(
      raw.map(async (client) => {
        const found = await Promise.all(keys.map((key) => client.get(memcachedKey('spread', key))))
        return found.filter((result) => result.value !== null).length
      }),
    )
    expect(perServer[0]).toBeGreaterThan(10)
    expect(perServer[1]).toBeGreaterThan(10)
    expect((perServer[0] ?? 0) + (perServer[1] ?? 0)).toBe(100)
    await store.close()
  })

  test('getMany over both servers: one multi-get each, hits, misses, duplicates, hashed and large values', async () => {
    const store = fresh()
    const keys = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? `#hashed ${i}` : `k-${i}`))
    const value = (key: string) => bytes(key.startsWith('#') ? key.repeat(2_000) : key)
    const stored = keys.filter((_, i) => i % 3 !== 0)
    await store.setMany(stored.map((key) => ({ key, value: value(key), expiresAt: FOREVER })))
    const wanted = [...keys, 'k-1', 'never-written', 'k-1']
    const expected = wanted.map((key) =>
      stored.includes(key) ? Buffer.from(value(key)) : undefined,
    )
    // Several batches in flight at once on the same sockets must not mix their replies.
    const results = await Promise.all([
      store.getMany(wanted),
      store.getMany([...wanted].reverse()),
      store.getMany(['never-written']),
    ])
    expect(results[0]).toEqual(expected)
    expect(results[1]).toEqual([...expected].reverse())
    expect(results[2]).toEqual([undefined])
    await store.close()
  })

  test('a clear by one store instance is seen at once by another', async () => {
    const a = fresh({ namespace: 'shared' })
    const b = fresh({ namespace: 'shared' })
    await a.setMany([
      { key: 'p/1', value: bytes('p1'), expiresAt: FOREVER },
      { key: 'q/1', value: bytes('q1'), expiresAt: FOREVER },
    ])
    await b.clear('p/')
    expect(await a.get('p/1')).toBeUndefined()
    expect(await a.get('q/1')).toEqual(Buffer.from('q1'))
    await b.set('p/2', bytes('p2'), FOREVER)
    await a.set('p/3', bytes('p3'), FOREVER)
    expect(await a.getMany(['p/2', 'p/3'])).toEqual([Buffer.from('p2'), Buffer.from('p3')])
    await a.close()
    await b.close()
  })

  test('namespaces share servers without meeting, clear("") included', async () => {
    const one = fresh({ namespace: 'one' })
    const two = fresh({ namespace: 'two' })
    await one.set('k', bytes('one'), FOREVER)
    await two.set('k', bytes('two'), FOREVER)
    await one.clear('')
    expect(await one.get('k')).toBeUndefined()
    expect(await two.get('k')).toEqual(Buffer.from('two'))
    await one.close()
    await two.close()
  })

  test('a lost clear log (restart, eviction) hides older entries rather than reviving cleared ones', async () => {
    const store = fresh({ namespace: 'lost' })
    await store.set('cleared', bytes('v'), FOREVER)
    await store.clear('cleared')
    await store.set('kept', bytes('v'), FOREVER)
    const { log, version } = clearLogKeys('lost')
    await Promise.all(raw.flatMap((client) => [client.delete(log), client.delete(version)]))
    expect(await store.getMany(['cleared', 'kept'])).toEqual([undefined, undefined])
    await store.set('after', bytes('after'), FOREVER)
    expect(await store.get('after')).toEqual(Buffer.from('after'))
    await store.close()
  })

  test('a log evicted without its version: unknown to a new instance, which starts a new one', async () => {
    const first = fresh({ namespace: 'evicted' })
    await first.set('cleared', bytes('v'), FOREVER)
    await first.clear('cleared')
    await first.set('kept', bytes('v'), FOREVER)
    await Promise.all(raw.map((client) => client.delete(clearLogKeys('evicted').log)))
    // The first instance still holds the log that version names: nothing changes for it.
    expect(await first.getMany(['cleared', 'kept'])).toEqual([undefined, Buffer.from('v')])
    const second = fresh({ namespace: 'evicted' })
    expect(await second.getMany(['cleared', 'kept'])).toEqual([undefined, undefined])
    await second.set('new', bytes('new'), FOREVER)
    expect(await first.getMany(['cleared', 'new'])).toEqual([undefined, Buffer.from('new')])
    await first.close()
    await second.close()
  })

  test('past maxClearedPrefixes distinct prefixes, clear(prefix) clears everything', async () => {
    const store = fresh({ namespace: 'capped', maxClearedPrefixes: 2 })
    for (const key of ['a/1', 'b/1', 'c/1', 'z/1']) await store.set(key, bytes(key), FOREVER)
    await store.clear('a/')
    await store.clear('b/')
    await store.clear('a/')
    expect(await store.get('z/1')).toEqual(Buffer.from('z/1'))
    await store.clear('c/')
    expect(await store.getMany(['c/1', 'z/1'])).toEqual([undefined, undefined])
    await store.close()
  })

  test('add over a cleared entry: exactly one winner among two store instances', async () => {
    const a = fresh({ namespace: 'locks' })
    const b = fresh({ namespace: 'locks' })
    await a.set('lock', bytes('stale'), FOREVER)
    await a.clear('lock')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).add('lock', bytes(`caller ${i}`), FOREVER),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await a.get('lock')).toEqual(Buffer.from(`caller ${results.indexOf(true)}`))
    await a.close()
    await b.close()
  })

  test("the server's own size limit is a ValueTooLargeError, never a silent drop", async () => {
    // maxValueBytes set above the server's 1 MiB item size: the server refuses instead.
    const store = fresh({ maxValueBytes: 4 * 1024 * 1024 })
    await store.set('big', bytes('previous'), FOREVER)
    const tooBig = new Uint8Array(1024 * 1024 + 1)
    await expect(store.set('big', tooBig, FOREVER)).rejects.toSatisfy(ValueTooLargeError.isInstance)
    await expect(store.add('other', tooBig, FOREVER)).rejects.toSatisfy(
      ValueTooLargeError.isInstance,
    )
    // memcached unlinks the previous item on a refused SET: nothing, never a torn value.
    expect(await store.get('big')).toBeUndefined()
    await store.close()
  })

  test('expiries beyond 30 days are sent as absolute time and still stored', async () => {
    const store = fresh({ namespace: 'far' })
    await store.set('far', bytes('v'), Date.now() + 40 * 24 * 3600 * 1000)
    expect(await store.get('far')).toEqual(Buffer.from('v'))
    await store.close()
  })

  test('a get is one write (item and version together); gets of one tick share the version', async () => {
    const client = memjs.Client.create(servers[0] as string, { logger: silent, retries: 1 })
    const store = memcachedStore({ client, namespace: 'one-write' })
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`)
    await store.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: FOREVER })))
    const server = client.servers[0] as memjs.Server
    const writes: number[] = []
    const write = server.write.bind(server)
    server.write = (blob) => {
      writes.push(blob.length)
      write(blob)
    }
    expect(await store.get('k1')).toEqual(Buffer.from('k1'))
    expect(writes).toHaveLength(1)
    writes.length = 0
    // One pair, then the item alone for the other nine: 10 writes, not 11 or 20.
    expect(await Promise.all(keys.map((key) => store.get(key)))).toEqual(
      keys.map((key) => Buffer.from(key)),
    )
    expect(writes).toHaveLength(10)
    // Another instance clears: the next get sees the new version, so it reads the log too.
    const other = fresh({ namespace: 'one-write' })
    await other.clear('k1')
    writes.length = 0
    expect(await store.get('k1')).toBeUndefined()
    expect(writes).toHaveLength(2)
    expect(await store.get('k2')).toEqual(Buffer.from('k2'))
    await other.close()
    await store.close()
    client.close()
  })

  test('uses an existing memjs client without closing it', async () => {
    const client = memjs.Client.create(servers.join(','), { logger: silent })
    const store = memcachedStore({ client, namespace: 'borrowed' })
    expect(store.client).toBe(client)
    await store.set('k', bytes('v'), FOREVER)
    await store.close()
    expect((await client.get(memcachedKey('borrowed', 'k'))).value).not.toBeNull()
    client.close()
  })
})

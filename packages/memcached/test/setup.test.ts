/**
 * Issue 14 on real servers: memcached evicts least recently used items unless started
 * with `-M`, tag timestamps included, so the store reports it through `checkSetup`; and
 * tag timestamps written here carry an expiry.
 */
import { type CacheLogger, createCache, type RemoteStore } from '@stack/core'
import { type MemcachedServer, startMemcached } from '@stack/test-servers/memcached'
import memjs from 'memjs'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { memcachedStore } from '../src/index.js'
import { decodeItem } from '../src/item.js'
import { memcachedKey } from '../src/key-map.js'

const servers = inject('memcachedServers')
const HOUR = 3_600_000
const CLOCK_SKEW = 60_000

describe.skipIf(servers.length < 2)('memcached checkSetup', () => {
  let noEvictions: MemcachedServer | undefined
  beforeAll(async () => {
    noEvictions = await startMemcached({ extraArgs: ['-M'] })
  })
  afterAll(async () => {
    await noEvictions?.stop()
  })

  test('servers with evictions on (the default) are reported, once for the pool', async () => {
    const store = memcachedStore({ client: servers })
    const warnings = await store.checkSetup()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.code).toBe('evicts-live-keys')
    expect(warnings[0]?.message).toContain('evictions are on on 2 of 2 servers')
    await store.close()
  })

  test('-M (evictions off) is not reported; a mixed pool names how many evict', async () => {
    const safe = memcachedStore({ client: [noEvictions?.address as string] })
    expect(await safe.checkSetup()).toEqual([])
    await safe.close()
    const mixed = memcachedStore({ client: [noEvictions?.address as string, servers[0] as string] })
    const [warning] = await mixed.checkSetup()
    expect(warning?.message).toContain('on 1 of 2 servers')
    await mixed.close()
  })

  test('a cache says it once through its logger at the first tag use', async () => {
    const warnings: string[] = []
    const logger: CacheLogger = { warn: (line) => warnings.push(line), error: () => undefined }
    const store = memcachedStore({ client: servers, namespace: 'setupcheck' })
    const checks: Promise<unknown>[] = []
    const check = store.checkSetup.bind(store)
    store.checkSetup = () => {
      const call = check()
      checks.push(call)
      return call
    }
    const cache = createCache({ tiers: [store], logger })
    await cache.invalidateTags(['a'])
    await cache.invalidateTags(['b'])
    await Promise.all(checks)
    await new Promise((resolve) => setImmediate(resolve))
    expect(checks).toHaveLength(1)
    expect(warnings).toEqual([expect.stringContaining('memcached: evictions are on')])
    await cache.close()
  })

  test('an unreachable pool rejects, so core asks again later', async () => {
    const server = await startMemcached()
    const store = memcachedStore({ client: [server?.address as string], timeout: 300 })
    await server?.kill()
    await expect(store.checkSetup()).rejects.toMatchObject({ code: 'E_STORE_UNAVAILABLE' })
    await store.close()
  })
})

describe.skipIf(servers.length < 2)('tag timestamps in memcached', () => {
  test('carry an expiry of maxEntryLife plus clock skew after the change', async () => {
    const namespace = `tagexp${Date.now().toString(36)}`
    const inner = memcachedStore({ client: servers, namespace })
    const written: string[] = []
    const store: RemoteStore = {
      ...inner,
      name: inner.name,
      set(key, value, expiresAt) {
        written.push(key)
        return inner.set(key, value, expiresAt)
      },
    }
    const cache = createCache({ tiers: [store], ttl: '1m', maxEntryLife: '3h' })
    const before = Date.now()
    await cache.invalidateTags(['user:1'])
    const after = Date.now()
    const tagKeys = written.filter((key) => key.includes('!tag:'))
    expect(tagKeys).toHaveLength(1)
    const raw = memjs.Client.create(servers.join(','), { logger: { log: () => undefined } })
    const { value } = await raw.get(memcachedKey(namespace, tagKeys[0] as string))
    raw.close()
    const item = decodeItem(value as Buffer)
    expect(item?.expiresAt).toBeGreaterThanOrEqual(before + 3 * HOUR + CLOCK_SKEW)
    expect(item?.expiresAt).toBeLessThanOrEqual(after + 3 * HOUR + CLOCK_SKEW)
    await cache.close()
  })
})

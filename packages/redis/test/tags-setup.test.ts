/**
 * Issue 14 on real servers: tag timestamps written to Redis carry an expiry (they no
 * longer pile up forever), and a Redis whose `maxmemory-policy` may evict them is
 * reported once through the cache's logger and its `setup` event.
 */
import { randomUUID } from 'node:crypto'
import { type CacheLogger, createCache, type StoreWarning } from '@stack/core'
import { type RedisServer, redisCli, startRedis } from '@stack/test-servers/redis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.js'
import { clusterNodes, redisUrl } from './servers.js'

const HOUR = 3_600_000
const CLOCK_SKEW = 60_000

function recordingLogger() {
  const warnings: string[] = []
  const logger: CacheLogger = {
    warn: (message) => warnings.push(message),
    error: () => undefined,
    debug: () => undefined,
  }
  return { logger, warnings }
}

/** `store` whose `checkSetup` calls can be awaited by the test. */
function watched(store: RedisStore) {
  const original = store.checkSetup.bind(store)
  const calls: Promise<readonly StoreWarning[]>[] = []
  store.checkSetup = () => {
    const call = original()
    calls.push(call)
    return call
  }
  return { store, calls }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe.skipIf(redisUrl === undefined)('tag timestamps in Redis', () => {
  test('expire maxEntryLife (plus clock skew) after the change', async () => {
    const keyPrefix = `tags:${randomUUID()}:`
    const store = redisStore({ url: redisUrl, keyPrefix })
    const cache = createCache({ tiers: [store], ttl: '1m', maxEntryLife: '2h' })
    await cache.set('k', 'v', { tags: ['user:1'] })
    const before = Date.now()
    await cache.invalidateTags(['user:1'])
    await cache.expireTags(['user:2'])
    const after = Date.now()
    const port = new URL(redisUrl as string).port
    const keys = (await redisCli(Number(port), '--scan', '--pattern', `${keyPrefix}*!tag:*`))
      .split('\n')
      .filter(Boolean)
    expect(keys).toHaveLength(2)
    for (const key of keys) {
      const expireAt = Number(await redisCli(Number(port), 'pexpiretime', key))
      expect(expireAt, key).toBeGreaterThanOrEqual(before + 2 * HOUR + CLOCK_SKEW - 1)
      expect(expireAt, key).toBeLessThanOrEqual(after + 2 * HOUR + CLOCK_SKEW)
    }
    expect(await cache.get('k')).toBeUndefined()
    await cache.close()
  })
})

describe.skipIf(redisUrl === undefined)('checkSetup on a real redis-server', () => {
  let evicting: RedisServer | undefined
  let safe: RedisServer | undefined
  let noConfig: RedisServer | undefined

  beforeAll(async () => {
    ;[evicting, safe, noConfig] = await Promise.all([
      startRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] }),
      startRedis({ extraArgs: ['--maxmemory-policy', 'noeviction'] }),
      startRedis({ extraArgs: ['--rename-command', 'CONFIG', ''] }),
    ])
  })
  afterAll(async () => {
    await Promise.all([evicting?.stop(), safe?.stop(), noConfig?.stop()])
  })

  test('allkeys-lru: one warning, logged once and emitted once, at the first tag use', async () => {
    const { store, calls } = watched(redisStore({ url: evicting?.url }))
    const log = recordingLogger()
    const cache = createCache({ tiers: [store], logger: log.logger, name: 'app' })
    const events: { tier: string; code: string; message: string }[] = []
    cache.on('setup', (event) => events.push(event))

    await cache.set('plain', 1)
    expect(calls, 'no tags used yet').toHaveLength(0)
    await cache.set('k', 1, { tags: ['t'] })
    await cache.invalidateTags(['t'])
    await Promise.all(calls)
    await cache.invalidateTags(['t'])
    await cache.get('k')
    await Promise.all(calls)
    await settle()

    expect(calls).toHaveLength(1)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ tier: 'redis', code: 'evicts-live-keys' })
    expect(events[0]?.message).toContain('maxmemory-policy is allkeys-lru')
    expect(log.warnings).toHaveLength(1)
    expect(log.warnings[0]).toMatch(/cache "app": redis: maxmemory-policy is allkeys-lru/)
    await cache.close()
  })

  test('volatile-* policies warn too (tag timestamps have an expiry now); noeviction does not', async () => {
    const store = redisStore({ url: safe?.url })
    expect(await store.checkSetup()).toEqual([])
    try {
      for (const policy of ['volatile-lru', 'volatile-ttl', 'allkeys-random']) {
        await redisCli(safe?.port as number, 'config', 'set', 'maxmemory-policy', policy)
        const [warning, ...others] = await store.checkSetup()
        expect(others).toEqual([])
        expect(warning?.code).toBe('evicts-live-keys')
        expect(warning?.message).toContain(`maxmemory-policy is ${policy}`)
      }
    } finally {
      await redisCli(safe?.port as number, 'config', 'set', 'maxmemory-policy', 'noeviction')
      await store.close()
    }
  })

  test('noeviction: the check runs and nothing is said', async () => {
    const { store, calls } = watched(redisStore({ url: safe?.url }))
    const log = recordingLogger()
    const cache = createCache({ tiers: [store], logger: log.logger })
    const events: unknown[] = []
    cache.on('setup', (event) => events.push(event))
    await cache.invalidateTags(['t'])
    expect(calls).toHaveLength(1)
    expect(await Promise.all(calls)).toEqual([[]])
    await settle()
    expect(events).toEqual([])
    expect(log.warnings).toEqual([])
    await cache.close()
  })

  test('CONFIG renamed away (as on managed Redis): nothing to report, no failure', async () => {
    const store = redisStore({ url: noConfig?.url })
    await expect(redisCli(noConfig?.port as number, 'config', 'get', 'maxmemory')).resolves.toMatch(
      /unknown command/i,
    )
    expect(await store.checkSetup()).toEqual([])
    await store.close()
  })

  test('an unreachable server rejects, so core asks again later', async () => {
    const server = await startRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lfu'] })
    const store = redisStore({ url: server?.url, timeout: 200 })
    await server?.kill()
    await expect(store.checkSetup()).rejects.toMatchObject({ code: 'E_STORE_UNAVAILABLE' })
    await server?.restart()
    const warnings = await store.checkSetup()
    expect(warnings.map((warning) => warning.code)).toEqual(['evicts-live-keys'])
    await store.close()
    await server?.stop()
  })
})

describe.skipIf(clusterNodes.length === 0)('checkSetup on a Redis Cluster', () => {
  test('asks every master; the harness cluster does not evict', async () => {
    const store = redisStore({ cluster: { nodes: clusterNodes } })
    expect(await store.checkSetup()).toEqual([])
    await store.close()
  })
})

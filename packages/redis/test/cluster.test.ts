import { Cluster, type Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.js'
import { hashSlot } from '../src/slot.js'
import { clusterNodes } from './servers.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (value: Uint8Array | undefined) =>
  value === undefined ? undefined : new TextDecoder().decode(value)

/**
 * Records, on every master, the commands whose first key starts with `prefix` while
 * `action` runs (MONITOR, so commands of tests running alongside are not counted).
 */
async function monitorCommands(
  cluster: Cluster,
  prefix: string,
  action: () => Promise<void>,
): Promise<string[]> {
  const seen: string[] = []
  const monitors = await Promise.all(cluster.nodes('master').map((node) => node.monitor()))
  for (const monitor of monitors) {
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[1]?.startsWith(prefix)) seen.push(String(args[0]).toLowerCase())
    })
  }
  try {
    await action()
    // MONITOR output trails the replies slightly; a PING through each monitor flushes it.
    await Promise.all(monitors.map((monitor) => monitor.ping().catch(() => {})))
    await new Promise((resolve) => setTimeout(resolve, 100))
  } finally {
    for (const monitor of monitors) monitor.disconnect()
  }
  return seen
}

describe.skipIf(clusterNodes.length === 0)('redis cluster', () => {
  let admin: Cluster
  let store: RedisStore

  beforeAll(async () => {
    admin = new Cluster(clusterNodes)
    store = redisStore({ cluster: { nodes: clusterNodes }, keyPrefix: 'cluster-test:' })
    await store.clear('')
  })

  afterAll(async () => {
    await store.close()
    await admin.quit()
  })

  test('hashSlot agrees with CLUSTER KEYSLOT, hash tags included', async () => {
    const node = admin.nodes('master')[0] as Redis
    const keys = [
      'plain',
      'stack:user:42',
      '{user}:1',
      'a{user}:2',
      '{}empty-tag',
      '{}{x}',
      'open{only',
      'close}only',
      '{{nested}}',
      'ünïcödé-🔥',
      '',
      'x'.repeat(10_000),
    ]
    for (const key of keys) {
      expect(hashSlot(Buffer.from(key)), key.slice(0, 20)).toBe(await node.cluster('KEYSLOT', key))
    }
  })

  test('getMany, setMany and deleteMany work across hundreds of slots without CROSSSLOT', async () => {
    const keys = Array.from({ length: 300 }, (_, index) => `spread:${index}`)
    const slots = new Set(keys.map((key) => hashSlot(Buffer.from(`cluster-test:${key}`))))
    expect(slots.size).toBeGreaterThan(200)
    await store.setMany(
      keys.map((key, index) => ({
        key,
        value: bytes(`v${index}`),
        expiresAt: index % 2 === 0 ? Number.POSITIVE_INFINITY : Date.now() + 60_000,
      })),
    )
    const values = await store.getMany([...keys, 'spread:missing'])
    expect(values.map(text)).toEqual([...keys.map((_, index) => `v${index}`), undefined])
    expect(await store.deleteMany([...keys, 'spread:missing'])).toBe(keys.length)
    expect((await store.getMany(keys)).every((value) => value === undefined)).toBe(true)
  })

  test('getMany of 100 keys sends one MGET per hash slot and nothing else', async () => {
    const keys = Array.from({ length: 100 }, (_, index) => `counted:${index}`)
    await store.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: Infinity })))
    const slots = new Set(keys.map((key) => hashSlot(Buffer.from(`cluster-test:${key}`))))
    const commands = await monitorCommands(admin, 'cluster-test:counted:', async () => {
      expect((await store.getMany(keys)).map(text)).toEqual(keys)
    })
    expect(commands).toEqual(Array.from(slots, () => 'mget'))
  })

  test('a hash tag in keyPrefix puts every key in one slot: one MGET for the whole batch', async () => {
    const tagged = redisStore({ cluster: { nodes: clusterNodes }, keyPrefix: '{tagged}:' })
    try {
      const keys = Array.from({ length: 50 }, (_, index) => `k${index}`)
      await tagged.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: Infinity })))
      const commands = await monitorCommands(admin, '{tagged}:', async () => {
        expect((await tagged.getMany(keys)).map(text)).toEqual(keys)
      })
      expect(commands).toEqual(['mget'])
      await tagged.clear('')
      expect(await tagged.get('k1')).toBeUndefined()
    } finally {
      await tagged.close()
    }
  })

  test('clear and keys cover every master', async () => {
    const keys = Array.from({ length: 60 }, (_, index) => `everywhere:${index}`)
    await store.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: Infinity })))
    const owners = new Set(
      keys.map((key) => admin.slots[hashSlot(Buffer.from(`cluster-test:${key}`))]?.[0]),
    )
    expect(owners.size).toBe(3)
    const listed: string[] = []
    for await (const key of store.keys('everywhere:')) listed.push(key)
    expect(listed.sort()).toEqual([...keys].sort())
    await store.clear('everywhere:')
    expect((await store.getMany(keys)).every((value) => value === undefined)).toBe(true)
  })

  test('an existing Cluster client can be passed in and is left open by close()', async () => {
    const client = new Cluster(clusterNodes)
    const borrowed = redisStore({ client, keyPrefix: 'borrowed:' })
    await borrowed.set('k', bytes('v'), Infinity)
    expect(text(await borrowed.get('k'))).toBe('v')
    await borrowed.close()
    expect(await client.getBuffer('borrowed:k')).toEqual(Buffer.from('v'))
    await client.quit()
  })
})

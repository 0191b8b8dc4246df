import { randomUUID } from 'node:crypto'
import { EnvelopeCodec, structuredSerializer } from '@stack/core'
import { runDedupThroughCache } from '@stack/test-servers/dedup-case'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisStore } from '../src/index.js'
import { clusterNodes, redisUrl } from './servers.js'

const run = randomUUID()
const codec = new EnvelopeCodec({ serializer: structuredSerializer, compressThreshold: Infinity })
const envelope = (createdAt: number, value: unknown, tags: readonly string[] = []) =>
  codec.encode('k', { value, createdAt, freshUntil: createdAt, staleUntil: createdAt, tags })
const report = { rows: 'r'.repeat(100_000) }
const inOneHour = () => Date.now() + 3_600_000

describe.skipIf(redisUrl === undefined)('standalone', () => {
  runDedupThroughCache({
    name: 'redis',
    createStore: (namespace) =>
      redisStore({ url: redisUrl, keyPrefix: `dedup:${run}:${namespace}:`, dedupeWrites: true }),
  })

  let raw: Redis
  beforeAll(() => {
    raw = new Redis(redisUrl as string)
  })
  afterAll(() => raw.quit())

  const store = (name: string) =>
    redisStore({ url: redisUrl, keyPrefix: `dedup:${run}:${name}:`, dedupeWrites: true })

  test('a rewrite of an unchanged payload sends only the header; the expiry moves with it', async () => {
    const s = store('header')
    await s.set('k', envelope(1, report), inOneHour())
    const second = envelope(2, report)
    const expiresAt = Date.now() + 7_200_000
    await s.set('k', second, expiresAt)
    expect(s.stats()).toEqual({
      writes: 1,
      dedupedWrites: 1,
      writtenBytes: envelope(1, report).byteLength + 38,
    })
    expect(await s.get('k')).toEqual(second)
    expect(await raw.pexpiretime(`dedup:${run}:header:k`)).toBe(expiresAt - 1)
    await s.set('k', envelope(3, report), Number.POSITIVE_INFINITY)
    expect(await raw.pttl(`dedup:${run}:header:k`)).toBe(-1)
    await s.close()
  })

  test('after SCRIPT FLUSH the script is loaded again and the rewrite still applies', async () => {
    const s = store('flush')
    await s.set('k', envelope(1, report), inOneHour())
    await s.set('k', envelope(2, report), inOneHour())
    await raw.script('FLUSH')
    await s.set('k', envelope(3, report), inOneHour())
    expect(await s.get('k')).toEqual(envelope(3, report))
    expect(s.stats()).toMatchObject({ writes: 1, dedupedWrites: 2 })
    await s.close()
  })

  test('a header of another length (new tags) is rebuilt around the stored payload', async () => {
    const s = store('tags')
    await s.set('k', envelope(1, report), inOneHour())
    const tagged = envelope(2, report, ['daily', 'reports'])
    await s.set('k', tagged, inOneHour())
    expect(await s.get('k')).toEqual(tagged)
    const untagged = envelope(3, report)
    await s.set('k', untagged, inOneHour())
    expect(await s.get('k')).toEqual(untagged)
    expect(s.stats()).toMatchObject({ writes: 1, dedupedWrites: 2 })
    await s.close()
  })

  test('a changed payload, an expired or missing entry, a value written by setMany: written whole', async () => {
    const s = store('changed')
    await s.set('k', envelope(1, report), inOneHour())
    await s.set('k', envelope(2, { other: true }), inOneHour())
    expect(await s.get('k')).toEqual(envelope(2, { other: true }))
    await s.set('short', envelope(1, report), Date.now() + 20)
    await new Promise((resolve) => setTimeout(resolve, 40))
    await s.set('short', envelope(2, report), inOneHour())
    expect(await s.get('short')).toEqual(envelope(2, report))
    await s.setMany([{ key: 'batch', value: envelope(1, report), expiresAt: inOneHour() }])
    await s.set('batch', envelope(2, report), inOneHour())
    expect(await s.get('batch')).toEqual(envelope(2, report))
    expect(s.stats()).toMatchObject({ writes: 6, dedupedWrites: 0 })
    await s.close()
  })

  test('values starting with the frame mark round-trip through set, add, setMany and getMany', async () => {
    const s = redisStore({ url: redisUrl, keyPrefix: `dedup:${run}:mark:` })
    const marked = [
      new Uint8Array([0xcf]),
      new Uint8Array([0xcf, 0x00, 1]),
      new Uint8Array([0xcf, 0x01, ...new Uint8Array(40)]),
    ]
    for (const [index, value] of marked.entries()) {
      await s.set(`set${index}`, value, inOneHour())
      await s.add(`add${index}`, value, inOneHour())
    }
    await s.setMany(
      marked.map((value, index) => ({ key: `many${index}`, value, expiresAt: inOneHour() })),
    )
    for (const prefix of ['set', 'add', 'many']) {
      expect(await s.getMany(marked.map((_, index) => `${prefix}${index}`))).toEqual(marked)
    }
    await s.close()
  })

  test('bytes another writer stored under the mark but not framed are read as they are', async () => {
    const s = redisStore({ url: redisUrl, keyPrefix: `dedup:${run}:legacy:` })
    await raw.set(`dedup:${run}:legacy:k`, Buffer.from([0xcf, 0x07, 1, 2]))
    expect(await s.get('k')).toEqual(new Uint8Array([0xcf, 0x07, 1, 2]))
    await s.close()
  })

  test('many concurrent rewrites of two payloads from two stores leave one written value, whole', async () => {
    const a = store('race')
    const b = store('race')
    const written = Array.from({ length: 40 }, (_, i) =>
      envelope(i, i % 3 === 0 ? { other: i % 2 } : report, i % 2 ? ['t'] : []),
    )
    await Promise.all(written.map((value, i) => (i % 2 ? a : b).set('k', value, inOneHour())))
    const final = await a.get('k')
    expect(written).toContainEqual(final)
    expect(codec.decode('k', final as Uint8Array)).toBeDefined()
    await a.close()
    await b.close()
  })
})

describe.skipIf(clusterNodes.length === 0)('cluster', () => {
  runDedupThroughCache({
    name: 'redis cluster',
    createStore: (namespace) =>
      redisStore({
        cluster: { nodes: clusterNodes },
        keyPrefix: `dedup:${run}:${namespace}:`,
        dedupeWrites: true,
      }),
  })
})

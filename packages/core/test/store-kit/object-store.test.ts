import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  InvalidKeyError,
  StoreUnavailableError,
  ValueTooLargeError,
} from '../../src/errors.js'
import { objectHead } from '../../src/store-kit/index.js'
import { MapBucket } from './map-bucket.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const inOneHour = () => Date.now() + 3_600_000
const count = (store: MapBucket, call: string) => store.calls.filter((c) => c === call).length

async function listed(store: MapBucket, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.keys(prefix)) keys.push(key)
  return keys.sort()
}

describe('objectHead', () => {
  test('reads the expiry field, Infinity without one', () => {
    expect(objectHead({ 'expires-at': '1700000000000', sha256: 'x' }, 'etag-1')).toEqual({
      expiresAt: 1_700_000_000_000,
      version: 'etag-1',
      metadata: { 'expires-at': '1700000000000', sha256: 'x' },
    })
    expect(objectHead({}, undefined)).toEqual({
      expiresAt: Infinity,
      version: undefined,
      metadata: {},
    })
  })
})

describe('ObjectStore over a minimal backend', () => {
  test('plain and hashed keys round-trip, list and clear by prefix; foreign objects stay', async () => {
    const store = new MapBucket({ prefix: 'cache/' })
    const long = `user:${'x'.repeat(2_000)}`
    for (const key of ['user:1', 'user:2', long, 'other']) {
      await store.set(key, bytes(key), inOneHour())
    }
    store.put('cache/readme.txt', bytes('not ours'))

    expect(await store.get(long)).toEqual(bytes(long))
    expect(await store.getMany(['user:1', 'missing'])).toEqual([bytes('user:1'), undefined])
    expect(await listed(store, 'user:')).toEqual(['user:1', 'user:2', long].sort())

    await store.clear('user:')
    expect(await listed(store, '')).toEqual(['other'])
    expect([...store.objects.keys()].sort()).toEqual(['cache/other', 'cache/readme.txt'])
  })

  test('a prefix too long for a hashed name clears and lists exactly its keys', async () => {
    const store = new MapBucket()
    const prefix = 'p'.repeat(1_500)
    const inside = [`${prefix}a`, `${prefix}b${'x'.repeat(2_000)}`]
    const outside = [`${'p'.repeat(1_499)}q`, 'p'.repeat(10)]
    for (const key of [...inside, ...outside]) await store.set(key, bytes(key), inOneHour())
    expect(await listed(store, prefix)).toEqual([...inside].sort())
    await store.clear(prefix)
    expect(await listed(store, '')).toEqual([...outside].sort())
  })

  test('expired objects are misses; set with a past expiry deletes; deleteExpiredOnRead removes', async () => {
    const store = new MapBucket({ deleteExpiredOnRead: true })
    await store.set('old', bytes('v'), inOneHour())
    const name = [...store.objects.keys()][0] as string
    store.put(name, bytes('v'), { 'expires-at': String(Date.now() - 1) })
    expect(await listed(store, '')).toEqual([])
    expect(await store.get('old')).toBeUndefined()
    expect(store.objects.size).toBe(0)

    await store.set('gone', bytes('v'), inOneHour())
    await store.set('gone', bytes('v'), Date.now() - 1)
    expect(store.objects.size).toBe(0)
    expect(await store.delete('gone')).toBe(false)
  })

  test('add: atomic with conditional writes, replacing only an expired object', async () => {
    const store = new MapBucket()
    expect(store.capabilities.add).toBe(true)
    expect(await store.add('lock', bytes('1'), inOneHour())).toBe(true)
    expect(await store.add('lock', bytes('2'), inOneHour())).toBe(false)
    expect(await store.get('lock')).toEqual(bytes('1'))
    await store.set('lock', bytes('1'), Date.now() + 20)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(await store.add('lock', bytes('3'), inOneHour())).toBe(true)
    expect(await store.get('lock')).toEqual(bytes('3'))
  })

  test('add without conditional writes checks, then writes', async () => {
    const store = new MapBucket({ conditionalWrites: false })
    expect(store.capabilities.add).toBe(false)
    expect(await store.add('lock', bytes('1'), inOneHour())).toBe(true)
    expect(await store.add('lock', bytes('2'), inOneHour())).toBe(false)
    expect(count(store, 'put')).toBe(1)
  })

  test('dedupeWrites skips unchanged uploads', async () => {
    const store = new MapBucket({ dedupeWrites: true })
    const expiresAt = inOneHour()
    await store.set('k', bytes('same'), expiresAt)
    await store.set('k', bytes('same'), expiresAt)
    expect(count(store, 'put')).toBe(1)
    await store.set('k', bytes('same'), expiresAt + 1)
    expect(count(store, 'put')).toBe(2)
  })

  test('bad input: InvalidKeyError, InvalidOptionError, ValueTooLargeError', async () => {
    const store = new MapBucket({ maxValueBytes: 4 })
    expect(store.capabilities.maxValueBytes).toBe(4)
    await expect(store.get('lone\uD800')).rejects.toSatisfy(InvalidKeyError.isInstance)
    await expect(store.set('k', 'v' as never, Infinity)).rejects.toMatchObject({ option: 'value' })
    await expect(store.set('k', bytes('12345'), Infinity)).rejects.toSatisfy(
      ValueTooLargeError.isInstance,
    )
    await expect(store.clear(3 as never)).rejects.toMatchObject({ option: 'prefix' })
  })

  test('a backend that stops answering fails every call at the timeout', async () => {
    const store = new MapBucket({ timeout: 30 })
    store.hang = true
    const calls = [
      store.get('k'),
      store.set('k', bytes('v'), inOneHour()),
      store.add('k', bytes('v'), inOneHour()),
      store.delete('k'),
      store.clear(''),
      listed(store, ''),
    ]
    for (const call of calls) {
      await expect(call).rejects.toSatisfy(
        (error) =>
          StoreUnavailableError.isInstance(error) &&
          error.store === 'map' &&
          error.message.includes('no answer within 30 ms'),
      )
    }
  })

  test('close releases the client once; later calls reject with ClosedError', async () => {
    const store = new MapBucket()
    await store.close()
    await store.close()
    expect(store.closes).toBe(1)
    await expect(store.get('k')).rejects.toSatisfy(ClosedError.isInstance)
    await expect(listed(store, '')).rejects.toSatisfy(ClosedError.isInstance)
  })
})

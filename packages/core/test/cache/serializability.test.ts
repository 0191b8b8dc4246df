import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  createCache,
  jsonSerializer,
  memory,
  memoryStore,
  SerializationError,
} from '../../src/index.js'

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function errorsOf(cache: ReturnType<typeof createCache>) {
  const errors: { operation: string; error: unknown }[] = []
  cache.on('error', ({ operation, error }) => errors.push({ operation, error }))
  return errors
}

describe('memory-only caches check that values could go remote', () => {
  afterEach(() => vi.unstubAllEnvs())

  test('a class instance is cached and reported, naming the key and the serializer', async () => {
    const cache = createCache({ tiers: [memory()] })
    const errors = errorsOf(cache)
    await cache.set('p', new Point(1, 2))
    expect(await cache.get('p')).toEqual(new Point(1, 2)) // memory holds it as it is
    expect(errors).toHaveLength(1)
    expect(errors[0]?.operation).toBe('serializable')
    const error = errors[0]?.error
    expect(SerializationError.isInstance(error)).toBe(true)
    expect((error as SerializationError).key).toBe('p')
    expect((error as Error).message).toMatch(/"p".*v8.*remote tier/)
  })

  test('getOrSet, getOrSetSync, setMany and add are checked too; plain values are not reported', async () => {
    const cache = createCache({ tiers: [memory()], serializer: jsonSerializer })
    const errors = errorsOf(cache)
    await cache.getOrSet('a', () => new Date(0))
    cache.getOrSetSync('b', () => new Map([[1, 2]]))
    await cache.setMany<unknown>([
      { key: 'c', value: { fine: true } },
      { key: 'd', value: Number.NaN },
    ])
    await cache.add('e', undefined as unknown as number).catch(() => undefined)
    await cache.add('f', { ok: [1, 'two'] })
    expect(errors.map(({ error }) => (error as SerializationError).key)).toEqual(['a', 'b', 'd'])
  })

  test('strict mode rejects the write before anything is written', async () => {
    const cache = createCache({ tiers: [memory()], strict: true })
    await cache.set('p', 'old')
    await expect(cache.set('p', new Point(1, 2))).rejects.toSatisfy(SerializationError.isInstance)
    expect(await cache.get('p')).toBe('old')
  })

  test('off with checkSerializable: false, and by default when NODE_ENV is production', async () => {
    const off = createCache({ tiers: [memory()], checkSerializable: false })
    const offErrors = errorsOf(off)
    await off.set('p', new Point(1, 2))
    vi.stubEnv('NODE_ENV', 'production')
    const production = createCache({ tiers: [memory()] })
    const productionErrors = errorsOf(production)
    await production.set('p', new Point(1, 2))
    expect([...offErrors, ...productionErrors]).toEqual([])
    expect(() => createCache({ tiers: [memory()], checkSerializable: 'yes' as never })).toThrow(
      /checkSerializable/,
    )
  })

  test('a cache with a remote tier fails the write itself, as before (no double check)', async () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    const errors = errorsOf(cache)
    await expect(cache.set('p', new Point(1, 2))).rejects.toSatisfy(SerializationError.isInstance)
    expect(errors.filter(({ operation }) => operation === 'serializable')).toEqual([])
  })
})

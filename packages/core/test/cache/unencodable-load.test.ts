import { describe, expect, test } from 'vitest'
import {
  createCache,
  memory,
  memoryStore,
  SerializationError,
  ValueTooLargeError,
} from '../../src/index.js'
import { faultStore } from '../support/fault-store.js'
import { fakeClock } from './helpers.js'

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

function chain(options: { strict?: boolean; maxValueBytes?: number } = {}) {
  const clock = fakeClock()
  const local = memory()
  const middle = faultStore(memoryStore({ clock: clock.now }))
  const bottom = faultStore(memoryStore({ clock: clock.now }))
  const cache = createCache({
    tiers: [local, middle, bottom],
    clock: clock.now,
    ttl: '1m',
    ...options,
  })
  const errors: { key: string | undefined; operation: string; error: unknown }[] = []
  cache.on('error', ({ key, operation, error }) => errors.push({ key, operation, error }))
  return { cache, clock, local, middle, bottom, errors }
}

describe('a loaded value no remote tier can hold', () => {
  test('non-strict getOrSet returns it, reports it, and keeps it in the memory tier only', async () => {
    const { cache, local, middle, bottom, errors } = chain()
    let calls = 0
    const point = await cache.getOrSet('p', () => new Point(++calls, 2))
    expect(point).toEqual(new Point(1, 2))
    expect(errors).toHaveLength(1)
    expect(errors[0]?.operation).toBe('encode')
    expect(errors[0]?.key).toBe('p')
    expect(SerializationError.isInstance(errors[0]?.error)).toBe(true)
    expect(cache.stats().errors).toBe(1)
    expect(local.peek('#p')?.value).toBe(point)
    expect(await middle.inner.get('#p')).toBeUndefined()
    expect(await bottom.inner.get('#p')).toBeUndefined()
    expect(middle.writtenKeys).toEqual([])
    expect(bottom.writtenKeys).toEqual([])
    expect(await cache.getOrSet('p', () => new Point(++calls, 2))).toBe(point) // a local hit
    expect(calls).toBe(1)
  })

  test('the remote tiers drop their older copy, so it cannot come back', async () => {
    const { cache, local, bottom } = chain()
    await cache.set('p', 'old')
    const point = await cache.getOrSet('p', () => new Point(1, 2), { forceFresh: true })
    expect(await cache.get('p')).toBe(point)
    expect(await bottom.inner.get('#p')).toBeUndefined()
    local.delete('#p') // evicted: the next read goes to the remote tiers, which hold nothing
    expect(await cache.get('p')).toBeUndefined()
    const other = createCache({ tiers: [bottom.inner] })
    expect(await other.get('p')).toBeUndefined()
  })

  test('wrap and values over maxValueBytes take the same path', async () => {
    const { cache, bottom, errors } = chain({ maxValueBytes: 64 })
    const big = cache.wrap(async (n: number) => 'x'.repeat(n), { name: 'big' })
    expect(await big(1_000)).toHaveLength(1_000)
    expect(await big(10)).toHaveLength(10)
    expect(errors.map((error) => error.operation)).toEqual(['encode'])
    expect(ValueTooLargeError.isInstance(errors[0]?.error)).toBe(true)
    expect(bottom.writtenKeys).toHaveLength(1) // only the small value went remote
  })

  test('a failed remote delete fences the key: its old copy is never read', async () => {
    const { cache, bottom } = chain()
    await cache.set('p', 'old', { tiers: 'remote' })
    bottom.inject({ op: 'delete', fault: { kind: 'throw' }, times: 1 })
    const point = await cache.getOrSet('p', () => new Point(1, 2), { forceFresh: true })
    expect(await cache.get('p')).toBe(point)
    expect(await cache.get('p', { tiers: 'remote' })).toBeUndefined()
  })

  test('strict mode rejects and writes nothing anywhere', async () => {
    const { cache, local, middle, bottom } = chain({ strict: true })
    await expect(cache.getOrSet('p', () => new Point(1, 2))).rejects.toSatisfy(
      SerializationError.isInstance,
    )
    expect(local.peek('#p')).toBeUndefined()
    expect(middle.writtenKeys).toEqual([])
    expect(bottom.writtenKeys).toEqual([])
  })

  test('set still rejects in non-strict mode: the caller chose the value and can fix it', async () => {
    const { cache, local } = chain()
    await expect(cache.set('p', new Point(1, 2))).rejects.toSatisfy(SerializationError.isInstance)
    expect(local.peek('#p')).toBeUndefined()
  })
})

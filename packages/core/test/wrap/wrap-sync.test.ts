import { describe, expect, test, vi } from 'vitest'
import {
  createCache,
  InvalidKeyError,
  InvalidOptionError,
  InvalidValueError,
  memory,
  memoryStore,
  wrapSync,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'

describe('wrapSync', () => {
  test('keeps a synchronous function synchronous over a local-only cache', async () => {
    const cache = createCache({ tiers: [memory()] })
    const parse = vi.fn((source: string) => ({ tokens: source.split(' ') }))
    const cachedParse = wrapSync(cache, parse, { key: 'ast:{0}' })
    const first = cachedParse('a b')
    expect(first).toEqual({ tokens: ['a', 'b'] })
    expect(cachedParse('a b')).toBe(first)
    expect(parse).toHaveBeenCalledTimes(1)
    expect(await cachedParse.get('a b')).toBe(first)
    expect(await cache.get('ast:a b')).toBe(first)
  })

  test('refresh is synchronous too, and the other helpers work as with wrap', async () => {
    const cache = createCache({ tiers: [memory()] })
    let version = 0
    const compute = vi.fn((id: string) => `${id}@${++version}`)
    const wrapped = wrapSync(cache, compute, { name: 'compute' })
    expect(wrapped('a')).toBe('a@1')
    expect(wrapped.refresh('a')).toBe('a@2')
    expect(wrapped('a')).toBe('a@2')
    await wrapped.set('preset', 'a')
    expect(wrapped('a')).toBe('preset')
    expect(await wrapped.invalidate('a')).toBe(true)
    expect(wrapped('a')).toBe('a@3')
    expect(wrapped.original('a')).toBe('a@4')
    expect(wrapped.key('a')).toBe('compute:["a"]')
  })

  test('ttl applies', () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memory({ clock: clock.now })], clock: clock.now })
    const compute = vi.fn((n: number) => n * 2)
    const wrapped = wrapSync(cache, compute, { name: 'double', ttl: '1s' })
    wrapped(1)
    clock.advance(999)
    wrapped(1)
    expect(compute).toHaveBeenCalledTimes(1)
    clock.advance(1)
    wrapped(1)
    expect(compute).toHaveBeenCalledTimes(2)
  })

  test('a cache with a remote tier is refused when wrapping', () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    const error = catchError(() => wrapSync(cache, (n: number) => n, { name: 'id' }))
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe('cache')
    expect((error as Error).message).toContain('has remote tiers. Use wrap() instead')
  })

  test.each([
    ['staleWhileRevalidate', '1m'],
    ['grace', '1h'],
    ['graceBackoff', '1s'],
    ['softTimeout', '100ms'],
    ['hardTimeout', '1s'],
    ['earlyRefresh', true],
    ['tiers', 'local'],
  ])('refuses %s, which it cannot apply, naming it', (option, value) => {
    const cache = createCache({ tiers: [memory()] })
    const error = catchError(() =>
      wrapSync(cache, (n: number) => n, { name: 'f', [option]: value }),
    )
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe(option)
    expect((error as Error).message).toContain(`wrapSync cannot apply ${option}`)
  })

  test('unknown options name wrapSync', () => {
    const cache = createCache({ tiers: [memory()] })
    const error = catchError(() =>
      wrapSync(cache, (n: number) => n, { name: 'f', tll: 1 } as never),
    )
    expect((error as InvalidOptionError).option).toBe('tll')
    expect((error as Error).message).toContain('unknown option "tll" for wrapSync')
    expect((error as Error).message).not.toContain('getOrSet')
  })

  test('a function returning a promise is an InvalidValueError, and nothing is cached', async () => {
    const cache = createCache({ tiers: [memory()] })
    const wrapped = wrapSync(cache, (id: string) => Promise.resolve(id) as unknown, { name: 'p' })
    expect(() => wrapped('a')).toThrow(InvalidValueError)
    expect(await wrapped.get('a')).toBeUndefined()
  })

  test('errors are thrown synchronously and not cached', () => {
    const cache = createCache({ tiers: [memory()] })
    let fail = true
    const wrapped = wrapSync(
      cache,
      (id: string) => {
        if (fail) throw new Error('boom')
        return id
      },
      { name: 'f' },
    )
    expect(() => wrapped('a')).toThrow('boom')
    expect(() => wrapped(Symbol('a') as never)).toThrow(InvalidKeyError)
    fail = false
    expect(wrapped('a')).toBe('a')
  })
})

function catchError(call: () => unknown): unknown {
  try {
    call()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  InvalidKeyError,
  InvalidOptionError,
  isLocalTier,
  type MemoryOptions,
  memory,
  SerializationError,
} from '../../src/index.js'
import { evictions, fakeClock } from './helpers.js'

describe('the LocalTier surface', () => {
  test('is a local tier with a name', () => {
    expect(isLocalTier(memory())).toBe(true)
    expect(memory().name).toBe('memory')
    expect(memory({ name: 'l1' }).name).toBe('l1')
  })

  test('set, get, peek, has, delete', () => {
    const tier = memory<string>()
    expect(tier.get('k')).toBeUndefined()
    tier.set('k', 'v')
    expect(tier.get('k')).toBe('v')
    expect(tier.peek('k')).toBe('v')
    expect(tier.has('k')).toBe(true)
    expect(tier.delete('k')).toBe(true)
    expect(tier.delete('k')).toBe(false)
    expect(tier.has('k')).toBe(false)
  })

  test('delete reports false for an entry that had already expired', () => {
    const clock = fakeClock()
    const tier = memory<string>({ clock: clock.now })
    tier.set('k', 'v', clock.now() + 1)
    clock.advance(1)
    expect(tier.delete('k')).toBe(false)
    expect(tier.stats().expirations).toBe(1)
  })

  test('keys may be any non-empty string; others are rejected on write', () => {
    const tier = memory<string>()
    for (const key of ['ключ', 'with space', '../..', '*', 'x'.repeat(10_000)]) {
      tier.set(key, key)
      expect(tier.get(key)).toBe(key)
    }
    expect(() => tier.set('', 'v')).toThrow(InvalidKeyError)
    expect(() => tier.set(1 as unknown as string, 'v')).toThrow(InvalidKeyError)
    expect(tier.get('')).toBeUndefined()
  })

  test('clear(prefix) removes exactly the keys starting with prefix', () => {
    const tier = memory<number>()
    for (const key of ['user:1', 'user:2', 'user', 'users:1', 'post:1']) tier.set(key, 1)
    tier.clear('user:')
    expect([...tier.keys()].sort()).toEqual(['post:1', 'user', 'users:1'])
    tier.clear('')
    expect(tier.size).toBe(0)
    tier.set('a', 1)
    tier.clear()
    expect(tier.size).toBe(0)
  })

  test('keys(prefix) lists live keys only', () => {
    const clock = fakeClock()
    const tier = memory<number>({ clock: clock.now })
    tier.set('a:1', 1)
    tier.set('a:2', 2, clock.now() + 1)
    tier.set('b:1', 3)
    clock.advance(1)
    expect([...tier.keys('a:')]).toEqual(['a:1'])
    expect([...tier.keys()].sort()).toEqual(['a:1', 'b:1'])
  })

  test('stats counts hits, misses, evictions, expirations, entries and bytes', () => {
    const clock = fakeClock()
    const tier = memory<string>({
      clock: clock.now,
      maxEntries: 2,
      sizeOf: (v) => v.length,
      policy: 'lru',
    })
    tier.set('a', 'xx')
    tier.set('b', 'xxx', clock.now() + 1)
    tier.get('a')
    tier.get('missing')
    tier.set('c', 'x')
    clock.advance(1)
    tier.get('b')
    expect(tier.stats()).toEqual({
      hits: 1,
      misses: 2,
      evictions: 1,
      expirations: 0,
      entries: 2,
      bytes: 3,
    })
    expect(tier.stats()).not.toBe(tier.stats())
  })
})

describe('onEvict and evict listeners', () => {
  test('report capacity, expired, deleted and replaced', () => {
    const clock = fakeClock()
    const recorded = evictions<string>()
    const tier = memory<string>({
      clock: clock.now,
      maxEntries: 2,
      policy: 'lru',
      onEvict: recorded.listener,
    })
    tier.set('a', 'a1')
    tier.set('a', 'a2')
    tier.set('b', 'b1', clock.now() + 1)
    tier.set('c', 'c1')
    clock.advance(1)
    tier.get('b')
    tier.set('d', 'd1')
    tier.delete('c')
    tier.set('e', 'e1')
    tier.clear()
    expect(recorded.calls).toEqual([
      ['a', 'a1', 'replaced'],
      ['a', 'a2', 'capacity'],
      ['b', 'b1', 'expired'],
      ['c', 'c1', 'deleted'],
      ['d', 'd1', 'deleted'],
      ['e', 'e1', 'deleted'],
    ])
  })

  test('setting the same value again is not a replacement', () => {
    const recorded = evictions<object>()
    const tier = memory<object>({ onEvict: recorded.listener })
    const value = {}
    tier.set('k', value)
    tier.set('k', value)
    expect(recorded.calls).toEqual([])
  })

  test('close reports every entry as deleted', () => {
    const recorded = evictions<number>()
    const tier = memory<number>({ onEvict: recorded.listener })
    tier.set('a', 1)
    tier.set('b', 2)
    tier.close()
    expect(recorded.calls.sort()).toEqual([
      ['a', 1, 'deleted'],
      ['b', 2, 'deleted'],
    ])
  })

  test('addEvictListener adds listeners after onEvict and returns an unsubscribe', () => {
    const order: string[] = []
    const tier = memory<number>({ onEvict: (key) => order.push(`option:${key}`) })
    const stop = tier.addEvictListener((key) => order.push(`added:${key}`))
    tier.set('a', 1)
    tier.delete('a')
    stop()
    stop()
    tier.set('b', 1)
    tier.delete('b')
    expect(order).toEqual(['option:a', 'added:a', 'option:b'])
    expect(() => tier.addEvictListener('no' as never)).toThrow(InvalidOptionError)
  })

  test('listeners run after the operation and may call back into the tier', () => {
    const seen: (number | undefined)[] = []
    const tier = memory<number>({ maxEntries: 1, policy: 'lru' })
    tier.addEvictListener((key, value) => {
      seen.push(tier.get(key))
      if (value === 1) tier.set('reinserted', 99)
    })
    tier.set('a', 1)
    tier.set('b', 2)
    expect(seen).toEqual([undefined, undefined])
    expect([...tier.keys()]).toEqual(['reinserted'])
  })

  test('a throwing listener does not stop the others or corrupt the tier', () => {
    const tier = memory<number>({ maxEntries: 1 })
    const calls: string[] = []
    tier.addEvictListener(() => {
      throw new Error('listener failed')
    })
    tier.addEvictListener((key) => calls.push(key))
    tier.set('a', 1)
    expect(() => tier.set('b', 2)).toThrow('listener failed')
    expect(calls).toEqual(['a'])
    expect(tier.get('b')).toBe(2)
    expect(tier.size).toBe(1)
  })
})

describe('clone', () => {
  test('isolates stored values from the writer and from readers', () => {
    const tier = memory<{ list: number[] }>({ clone: true })
    const written = { list: [1] }
    tier.set('k', written)
    written.list.push(2)
    const read = tier.get('k')
    expect(read).toEqual({ list: [1] })
    read?.list.push(3)
    expect(tier.get('k')).toEqual({ list: [1] })
    expect(tier.peek('k')).not.toBe(tier.peek('k'))
  })

  test('values are shared without clone', () => {
    const tier = memory<{ list: number[] }>()
    const written = { list: [1] }
    tier.set('k', written)
    expect(tier.get('k')).toBe(written)
  })

  test('a value that cannot be cloned throws SerializationError naming the key', () => {
    const tier = memory<unknown>({ clone: true })
    expect(() => tier.set('fn', () => 1)).toThrow(SerializationError)
    expect(() => tier.set('fn', () => 1)).toThrow(/"fn"/)
    expect(tier.has('fn')).toBe(false)
  })
})

describe('close', () => {
  test('drops everything, is idempotent, and later calls throw ClosedError', () => {
    const tier = memory<number>()
    tier.set('a', 1)
    tier.close()
    tier.close()
    expect(tier.size).toBe(0)
    expect(tier.stats().entries).toBe(0)
    const calls: (() => unknown)[] = [
      () => tier.get('a'),
      () => tier.peek('a'),
      () => tier.has('a'),
      () => tier.set('a', 1),
      () => tier.delete('a'),
      () => tier.clear(),
      () => tier.keys(),
      () => tier.prune(),
    ]
    for (const call of calls) {
      expect(call).toThrow(ClosedError)
      expect(call).toThrow(/memory tier "memory" is closed/)
    }
  })
})

describe('options', () => {
  const invalid: [MemoryOptions<unknown>, string][] = [
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ maxEntries: -1 }, 'maxEntries'],
    [{ maxEntries: 1.5 }, 'maxEntries'],
    [{ maxEntries: Number.NaN }, 'maxEntries'],
    [{ maxEntries: '10' as never }, 'maxEntries'],
    [{ maxBytes: 0 }, 'maxBytes'],
    [{ maxBytes: Number.NaN }, 'maxBytes'],
    [{ sizeOf: 4 as never }, 'sizeOf'],
    [{ policy: 'arc' as never }, 'policy'],
    [{ ttl: -1 }, 'ttl'],
    [{ ttl: 0 }, 'ttl'],
    [{ ttl: 'soon' }, 'ttl'],
    [{ maxTtl: '1y' }, 'maxTtl'],
    [{ clone: 'yes' as never }, 'clone'],
    [{ onEvict: 1 as never }, 'onEvict'],
    [{ clock: 'now' as never }, 'clock'],
    [{ name: '' }, 'name'],
    [{ maxSize: 10 } as never, 'maxSize'],
    [null as never, 'options'],
  ]

  test.each(invalid)('%j is rejected naming %s', (options, option) => {
    let error: unknown
    try {
      memory(options)
    } catch (caught) {
      error = caught
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe(option)
  })

  test('durations may be strings', () => {
    const clock = fakeClock()
    const tier = memory<number>({ clock: clock.now, ttl: '1m', maxTtl: '1h' })
    tier.set('k', 1)
    clock.advance(59_999)
    expect(tier.has('k')).toBe(true)
    clock.advance(1)
    expect(tier.has('k')).toBe(false)
  })

  test('a sizeOf that returns a bad size is reported on set, naming sizeOf', () => {
    const tier = memory<string>({ maxBytes: 10, sizeOf: () => -1 })
    expect(() => tier.set('k', 'v')).toThrow(InvalidOptionError)
    expect(() => tier.set('k', 'v')).toThrow(/sizeOf.*"k"/)
  })
})

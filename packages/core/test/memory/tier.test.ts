import { describe, expect, test } from 'vitest'
import {
  ClosedError,
  InvalidOptionError,
  type MemoryOptions,
  memory,
  SerializationError,
} from '../../src/index.js'
import { evictions, fakeClock } from './helpers.js'

// What every local tier does alike is in local-tier-contract.ts (run by contract.test.ts);
// these are the memory tier's own behaviours.
describe('stats', () => {
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

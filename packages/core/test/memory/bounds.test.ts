import { describe, expect, test } from 'vitest'
import { estimateSize, memory, ValueTooLargeError } from '../../src/index.js'
import { evictions } from './helpers.js'

const length = (value: string) => value.length

describe('maxBytes', () => {
  test('evicts until the bytes fit, and counts overwrites and deletes', () => {
    const tier = memory<string>({ policy: 'lru', maxBytes: 10, sizeOf: length })
    tier.set('a', 'xxxx')
    tier.set('b', 'xxxx')
    expect(tier.stats().bytes).toBe(8)
    tier.set('c', 'xxx')
    expect([...tier.keys()].sort()).toEqual(['b', 'c'])
    expect(tier.stats().bytes).toBe(7)
    tier.set('b', 'x')
    expect(tier.stats().bytes).toBe(4)
    tier.set('b', 'xxxxxxx')
    expect(tier.stats().bytes).toBe(10)
    expect(tier.delete('c')).toBe(true)
    expect(tier.stats().bytes).toBe(7)
    tier.clear()
    expect(tier.stats().bytes).toBe(0)
  })

  test('an overwrite that outgrows the bound evicts others, never the key written', () => {
    for (const policy of ['lru', 'lfu', 'fifo', 'tinylfu'] as const) {
      const tier = memory<string>({ policy, maxBytes: 10, sizeOf: length })
      tier.set('a', 'xxx')
      tier.set('b', 'xxx')
      tier.set('c', 'xxx')
      tier.set('a', 'xxxxxxxxx')
      expect(tier.get('a')).toBe('xxxxxxxxx')
      expect(tier.stats().bytes).toBeLessThanOrEqual(10)
    }
  })

  test('a value larger than maxBytes throws ValueTooLargeError and drops the old value', () => {
    const recorded = evictions<string>()
    const tier = memory<string>({ maxBytes: 5, sizeOf: length, onEvict: recorded.listener })
    tier.set('k', 'old')
    tier.set('other', 'ok')
    const error = (() => {
      try {
        tier.set('k', 'much too long')
      } catch (caught) {
        return caught
      }
    })()
    expect(ValueTooLargeError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ key: 'k', size: 13, limit: 5 })
    expect(tier.get('k')).toBeUndefined()
    expect(tier.get('other')).toBe('ok')
    expect(tier.stats().bytes).toBe(2)
    expect(recorded.calls).toEqual([['k', 'old', 'replaced']])
  })

  test('maxEntries and maxBytes apply together', () => {
    const tier = memory<string>({ maxEntries: 2, maxBytes: 100, sizeOf: length })
    tier.set('a', 'x')
    tier.set('b', 'x')
    tier.set('c', 'x')
    expect(tier.size).toBe(2)
    expect(tier.stats().bytes).toBe(2)
  })

  test('without sizeOf, maxBytes measures with estimateSize', () => {
    const tier = memory<{ name: string }>({ maxBytes: 1_000 })
    tier.set('user:1', { name: 'Ada' })
    expect(tier.stats().bytes).toBe(estimateSize({ name: 'Ada' }, 'user:1'))
  })

  test('sizeOf alone measures bytes without bounding them', () => {
    const tier = memory<string>({ sizeOf: length })
    tier.set('a', 'x'.repeat(1_000))
    expect(tier.stats().bytes).toBe(1_000)
  })

  test('nothing is measured without maxBytes or sizeOf', () => {
    const tier = memory<string>()
    tier.set('a', 'x'.repeat(1_000))
    expect(tier.stats().bytes).toBe(0)
  })
})

describe('estimateSize', () => {
  test('counts strings, numbers, binary data and containers', () => {
    expect(estimateSize('abc', '')).toBe(6)
    expect(estimateSize(42, 'k')).toBe(2 + 8)
    expect(estimateSize(new Uint8Array(100), '')).toBe(100)
    expect(estimateSize([1, 'ab'], '')).toBe(8 + 8 + 8 + 4)
    expect(estimateSize({ id: 1, name: 'Ada' }, 'user:1')).toBe(12 + (8 + 4 + 8) + (8 + 8 + 6))
    expect(estimateSize(new Map([['a', 1]]), '')).toBe(8 + 2 + 8)
    expect(estimateSize(new Set(['ab']), '')).toBe(8 + 4)
    expect(estimateSize(null, '')).toBe(0)
    expect(estimateSize(undefined, '')).toBe(0)
    expect(estimateSize(new Date(0), '')).toBe(8)
    expect(estimateSize(10n, '')).toBeGreaterThanOrEqual(8)
  })

  test('survives cycles', () => {
    const node: { self?: unknown; name: string } = { name: 'a' }
    node.self = node
    expect(estimateSize(node, '')).toBe(8 + 8 + 2 + (8 + 8))
  })
})

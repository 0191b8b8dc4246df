import { describe, expect, test } from 'vitest'
import { type EvictionPolicyName, memory } from '../../src/index.js'

const keysOf = (tier: { keys(): Iterable<string> }) => [...tier.keys()].sort()

describe('lru', () => {
  test('evicts the least recently used key; reads and overwrites refresh recency', () => {
    const tier = memory<number>({ policy: 'lru', maxEntries: 3 })
    tier.set('a', 1)
    tier.set('b', 2)
    tier.set('c', 3)
    tier.get('a')
    tier.set('d', 4)
    expect(keysOf(tier)).toEqual(['a', 'c', 'd'])
    tier.set('c', 30)
    tier.set('e', 5)
    expect(keysOf(tier)).toEqual(['c', 'd', 'e'])
  })

  test('peek and has do not refresh recency', () => {
    const tier = memory<number>({ policy: 'lru', maxEntries: 2 })
    tier.set('a', 1)
    tier.set('b', 2)
    expect(tier.peek('a')).toBe(1)
    expect(tier.has('a')).toBe(true)
    tier.set('c', 3)
    expect(keysOf(tier)).toEqual(['b', 'c'])
  })
})

describe('fifo', () => {
  test('evicts in insertion order whatever is read; an overwrite keeps its place', () => {
    const tier = memory<number>({ policy: 'fifo', maxEntries: 3 })
    tier.set('a', 1)
    tier.set('b', 2)
    tier.set('c', 3)
    tier.get('a')
    tier.set('a', 10)
    tier.set('d', 4)
    expect(keysOf(tier)).toEqual(['b', 'c', 'd'])
    tier.set('e', 5)
    expect(keysOf(tier)).toEqual(['c', 'd', 'e'])
  })
})

describe('lfu', () => {
  test('evicts the least used key, the least recent among equals', () => {
    const tier = memory<number>({ policy: 'lfu', maxEntries: 3 })
    tier.set('a', 1)
    tier.set('b', 2)
    tier.set('c', 3)
    tier.get('a')
    tier.get('a')
    tier.get('c')
    tier.set('d', 4)
    expect(keysOf(tier)).toEqual(['a', 'c', 'd'])
  })

  test('a new key is never its own victim, even when everything else is used more', () => {
    const tier = memory<number>({ policy: 'lfu', maxEntries: 3 })
    for (const key of ['a', 'b', 'c']) tier.set(key, 0)
    for (const key of ['a', 'b', 'c']) tier.get(key)
    tier.set('d', 4)
    expect(keysOf(tier)).toEqual(['b', 'c', 'd'])
    expect(tier.get('d')).toBe(4)
  })

  test('use counts saturate without breaking the order', () => {
    const tier = memory<number>({ policy: 'lfu', maxEntries: 2 })
    tier.set('hot', 1)
    for (let index = 0; index < 1_000; index++) tier.get('hot')
    for (let index = 0; index < 50; index++) tier.set(`cold${index}`, index)
    expect(tier.has('hot')).toBe(true)
    expect(tier.size).toBe(2)
  })
})

describe('tinylfu', () => {
  test('a frequently read hot set survives a long scan of one-hit keys; lru loses it', () => {
    // A sketch sized for 100 entries sees 2,000 scan keys: collisions may cost a hot key or two.
    const survivors = (policy: EvictionPolicyName) => {
      const tier = memory<number>({ policy, maxEntries: 100 })
      for (let round = 0; round < 5; round++) {
        for (let index = 0; index < 50; index++) {
          if (tier.get(`hot${index}`) === undefined) tier.set(`hot${index}`, index)
        }
      }
      for (let index = 0; index < 2_000; index++) tier.set(`scan${index}`, index)
      let count = 0
      for (let index = 0; index < 50; index++) if (tier.has(`hot${index}`)) count++
      return count
    }
    expect(survivors('tinylfu')).toBeGreaterThanOrEqual(45)
    expect(survivors('lru')).toBe(0)
  })

  test('the key just written is always readable, even when it loses admission later', () => {
    const tier = memory<number>({ policy: 'tinylfu', maxEntries: 10 })
    for (let index = 0; index < 10; index++) {
      tier.set(`hot${index}`, index)
      for (let read = 0; read < 5; read++) tier.get(`hot${index}`)
    }
    for (let index = 0; index < 100; index++) {
      tier.set(`new${index}`, index)
      expect(tier.get(`new${index}`)).toBe(index)
      expect(tier.size).toBeLessThanOrEqual(10)
    }
  })

  test('a key that keeps coming back is eventually admitted over cold ones', () => {
    const tier = memory<number>({ policy: 'tinylfu', maxEntries: 20 })
    for (let index = 0; index < 20; index++) tier.set(`cold${index}`, index)
    for (let round = 0; round < 10; round++) {
      if (tier.get('returning') === undefined) tier.set('returning', round)
      tier.set(`filler${round}`, round)
    }
    expect(tier.has('returning')).toBe(true)
  })

  test('a tier of one entry still works', () => {
    const tier = memory<number>({ policy: 'tinylfu', maxEntries: 1 })
    tier.set('a', 1)
    tier.set('b', 2)
    expect(tier.size).toBe(1)
    expect(tier.get('b')).toBe(2)
  })
})

describe.each(['lru', 'lfu', 'fifo', 'tinylfu'] as const)('%s', (policy) => {
  test('never holds more than maxEntries', () => {
    const tier = memory<number>({ policy, maxEntries: 7 })
    for (let index = 0; index < 500; index++) {
      tier.set(`k${index % 37}`, index)
      tier.get(`k${(index * 7) % 37}`)
      if (index % 11 === 0) tier.delete(`k${index % 13}`)
      expect(tier.size).toBeLessThanOrEqual(7)
    }
    expect(tier.stats().evictions).toBeGreaterThan(0)
  })

  test('reports its policy', () => {
    expect(memory({ policy }).policy).toBe(policy)
  })
})

test('the default policy is tinylfu', () => {
  expect(memory().policy).toBe('tinylfu')
})

/**
 * The LocalTier contract as tests: what every local tier must do the same way, whatever
 * it stores entries in. Runs on `memory()` here (test/memory/contract.test.ts) and on
 * `@stack/sqlite`'s `sqliteTier()` (packages/sqlite/test/tier-contract.test.ts imports
 * this file by relative path). Tiers are built with LRU eviction; what depends on a
 * memory policy (tinylfu, lfu, fifo), on `maxBytes` or on `clone` stays in the memory tests.
 *
 * Values are cache entries, the only values a persistent tier can hold; they are
 * compared with `toEqual` since a tier may return an equal copy, not the written object.
 */
import { describe, expect, test } from 'vitest'
import {
  type CacheEntry,
  ClosedError,
  type Duration,
  type EvictionReason,
  InvalidKeyError,
  InvalidOptionError,
  isLocalTier,
  type LocalTier,
} from '../../src/index.js'
import { evictions, fakeClock } from './helpers.js'

type Listener = (key: string, value: CacheEntry, reason: EvictionReason) => void

/** The options every contract tier takes (each maps them onto its own). */
export interface ContractTierOptions {
  readonly name?: string
  readonly clock?: () => number
  readonly maxEntries?: number
  readonly ttl?: Duration
  readonly maxTtl?: Duration
  readonly onEvict?: Listener
}

/** The surface the contract checks: LocalTier plus the inspection calls both tiers have. */
export interface ContractTier extends LocalTier<CacheEntry> {
  readonly size: number
  keys(prefix?: string): Iterable<string>
  prune(): number
  stats(): {
    hits: number
    misses: number
    evictions: number
    expirations: number
    entries: number
  }
  addEvictListener(listener: Listener): () => void
}

export interface ContractSettings {
  /** The tier's name when none is given. */
  readonly defaultName: string
}

/** A cache entry holding `value`, fresh and live forever (the tier's expiry is separate). */
export function entry<T>(value: T, createdAt = 1_700_000_000_000, tags: string[] = []) {
  return {
    value,
    createdAt,
    freshUntil: Number.POSITIVE_INFINITY,
    staleUntil: Number.POSITIVE_INFINITY,
    tags,
  } satisfies CacheEntry<T>
}

/**
 * Checks the error's class with the cross-copy `isInstance` (DESIGN §7): a tier built on
 * the published `@stack/core` throws that copy's classes, not this source tree's.
 */
function expectError(call: () => unknown, kind: { isInstance(error: unknown): boolean }) {
  let error: unknown
  try {
    call()
  } catch (caught) {
    error = caught
  }
  expect(kind.isInstance(error), `threw ${String(error)}`).toBe(true)
}

const valueIn = (found: CacheEntry | undefined) => found?.value

/** Registers the contract's tests for the tier `create` builds. */
export function describeLocalTierContract(
  label: string,
  create: (options?: ContractTierOptions) => ContractTier,
  settings: ContractSettings,
): void {
  describe(`LocalTier contract: ${label}`, () => {
    surface(create, settings)
    expiry(create)
    capacity(create)
    listeners(create)
    closing(create)
  })
}

function surface(
  create: (options?: ContractTierOptions) => ContractTier,
  settings: ContractSettings,
) {
  test('is a local tier with a name', () => {
    const tier = create()
    expect(isLocalTier(tier)).toBe(true)
    expect(tier.kind).toBe('local')
    expect(tier.name).toBe(settings.defaultName)
    expect(create({ name: 'l1' }).name).toBe('l1')
  })

  test('set, get, peek, has, delete; the entry comes back whole', () => {
    const tier = create()
    expect(tier.get('k')).toBeUndefined()
    const written = {
      ...entry({ id: 1, list: [1, 2] }, 5, ['a', 'b']),
      freshUntil: 10,
      loadTime: 3,
    }
    tier.set('k', written)
    expect(tier.get('k')).toEqual(written)
    expect(tier.peek('k')).toEqual(written)
    expect(tier.has('k')).toBe(true)
    expect(tier.delete('k')).toBe(true)
    expect(tier.delete('k')).toBe(false)
    expect(tier.has('k')).toBe(false)
    expect(tier.get('k')).toBeUndefined()
  })

  test('delete reports false for an entry that had already expired', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    tier.set('k', entry('v'), clock.now() + 1)
    clock.advance(1)
    expect(tier.delete('k')).toBe(false)
    expect(tier.stats().expirations).toBe(1)
  })

  test('keys may be any non-empty string; others are rejected on write', () => {
    const tier = create()
    const keys = ['ключ', 'with space', '../..', '*', '%', '_', '\\', '\ud800', 'x'.repeat(10_000)]
    for (const key of keys) tier.set(key, entry(key))
    for (const key of keys) expect(valueIn(tier.get(key))).toBe(key)
    expectError(() => tier.set('', entry('v')), InvalidKeyError)
    expectError(() => tier.set(1 as unknown as string, entry('v')), InvalidKeyError)
    expect(tier.get('')).toBeUndefined()
    expect(tier.delete('')).toBe(false)
  })

  test('clear(prefix) removes exactly the keys starting with prefix', () => {
    const tier = create()
    const keys = ['user:1', 'user:2', 'user', 'users:1', 'post:1', 'a%b', 'aXb', 'a_b', 'a\\b']
    for (const key of keys) tier.set(key, entry(1))
    tier.clear('user:')
    tier.clear('a%') // no LIKE pattern: % and _ are plain characters
    tier.clear('a_')
    expect([...tier.keys()].sort()).toEqual(['a\\b', 'aXb', 'post:1', 'user', 'users:1'].sort())
    tier.set('\uffff\uffff', entry(1))
    tier.set('\uffff', entry(1))
    tier.clear('\uffff\uffff')
    expect([...tier.keys('\uffff')]).toEqual(['\uffff'])
    tier.clear('')
    expect(tier.size).toBe(0)
    tier.set('a', entry(1))
    tier.clear()
    expect(tier.size).toBe(0)
  })

  test('keys(prefix) lists live keys only', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    tier.set('a:1', entry(1))
    tier.set('a:2', entry(2), clock.now() + 1)
    tier.set('b:1', entry(3))
    clock.advance(1)
    expect([...tier.keys('a:')]).toEqual(['a:1'])
    expect([...tier.keys()].sort()).toEqual(['a:1', 'b:1'])
  })

  test('stats counts hits, misses, evictions, expirations and entries', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now, maxEntries: 2 })
    tier.set('a', entry('xx'))
    tier.set('b', entry('xxx'), clock.now() + 1)
    tier.get('a')
    tier.get('missing')
    tier.set('c', entry('x'))
    clock.advance(1)
    tier.get('b')
    expect(tier.stats()).toMatchObject({
      hits: 1,
      misses: 2,
      evictions: 1,
      expirations: 0,
      entries: 2,
    })
    expect(tier.stats()).not.toBe(tier.stats())
  })
}

function expiry(create: (options?: ContractTierOptions) => ContractTier) {
  test('an entry is live before expiresAt and dead exactly at it', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    tier.set('k', entry('v'), clock.now() + 100)
    clock.advance(99)
    expect(valueIn(tier.get('k'))).toBe('v')
    expect(valueIn(tier.peek('k'))).toBe('v')
    expect(tier.has('k')).toBe(true)
    clock.advance(1)
    expect(tier.peek('k')).toBeUndefined()
    expect(tier.has('k')).toBe(false)
    expect([...tier.keys()]).toEqual([])
    expect(tier.get('k')).toBeUndefined()
    expect(tier.stats()).toMatchObject({ hits: 1, misses: 1, expirations: 1, entries: 0 })
  })

  test('an expiry at or before now deletes the key instead of storing', () => {
    const clock = fakeClock()
    const recorded = evictions<CacheEntry>()
    const tier = create({ clock: clock.now, onEvict: recorded.listener })
    tier.set('k', entry('old'))
    tier.set('k', entry('new'), clock.now())
    expect(tier.get('k')).toBeUndefined()
    tier.set('j', entry('never stored'), clock.now() - 1)
    expect(tier.size).toBe(0)
    expect(recorded.calls).toEqual([['k', entry('old'), 'deleted']])
  })

  test("get(key, now) judges expiry by the caller's time", () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    const start = clock.now()
    tier.set('k', entry('v'), start + 10)
    expect(valueIn(tier.get('k', start + 9))).toBe('v')
    expect(tier.get('k', start + 10)).toBeUndefined()
    expect(tier.has('k')).toBe(false)
  })

  test('Infinity and a missing expiresAt mean never', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    tier.set('a', entry('v'))
    tier.set('b', entry('v'), Number.POSITIVE_INFINITY)
    clock.advance(10 ** 12)
    expect(valueIn(tier.get('a'))).toBe('v')
    expect(valueIn(tier.get('b'))).toBe('v')
  })

  test('ttl is the default lifetime; an explicit expiresAt wins', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now, ttl: '1s' })
    tier.set('default', entry('v'))
    tier.set('explicit', entry('v'), clock.now() + 5_000)
    clock.advance(1_000)
    expect(tier.get('default')).toBeUndefined()
    expect(valueIn(tier.get('explicit'))).toBe('v')
  })

  test('maxTtl clamps every expiry, Infinity included', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now, maxTtl: 1_000 })
    tier.set('forever', entry('v'))
    tier.set('long', entry('v'), clock.now() + 60_000)
    tier.set('short', entry('v'), clock.now() + 500)
    clock.advance(500)
    expect(tier.get('short')).toBeUndefined()
    expect(valueIn(tier.get('long'))).toBe('v')
    clock.advance(500)
    expect(tier.get('forever')).toBeUndefined()
    expect(tier.get('long')).toBeUndefined()
  })

  test('an overwrite replaces the expiry, including with never', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    tier.set('a', entry('v1'), clock.now() + 10)
    tier.set('a', entry('v2'))
    tier.set('b', entry('v1'))
    tier.set('b', entry('v2'), clock.now() + 10)
    tier.set('c', entry('v1'), clock.now() + 10)
    tier.set('c', entry('v2'), clock.now() + 1_000)
    clock.advance(10)
    expect(valueIn(tier.get('a'))).toBe('v2')
    expect(tier.get('b')).toBeUndefined()
    expect(valueIn(tier.get('c'))).toBe('v2')
    expect(tier.prune()).toBe(0)
  })

  test('expired keys nobody reads again are swept by later writes', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now, maxEntries: 1_000_000 })
    for (let round = 0; round < 20; round++) {
      for (let index = 0; index < 100; index++) {
        tier.set(`round${round}:${index}`, entry(index), clock.now() + 10)
      }
      expect(tier.size).toBeLessThanOrEqual(100)
      clock.advance(20)
    }
    expect(tier.stats().expirations).toBe(1_900)
  })

  test('writes of non-expiring keys sweep expired ones too', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now })
    for (let index = 0; index < 400; index++) {
      tier.set(`short${index}`, entry(index), clock.now() + 1)
    }
    clock.advance(1)
    for (let index = 0; index < 50; index++) tier.set(`long${index}`, entry(index))
    expect(tier.size).toBe(50)
  })

  test('prune removes every expired entry at once, soonest expiry first', () => {
    const clock = fakeClock()
    const recorded = evictions<CacheEntry>()
    const tier = create({ clock: clock.now, onEvict: recorded.listener })
    for (let index = 0; index < 100; index++) {
      tier.set(`k${index}`, entry(index), clock.now() + index + 1)
    }
    clock.advance(50)
    expect(tier.prune()).toBe(50)
    expect(tier.size).toBe(50)
    expect(recorded.calls.every(([, , reason]) => reason === 'expired')).toBe(true)
    expect(recorded.calls.map(([, value]) => value.value)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    )
  })

  test('expired entries are swept before live ones are evicted for room', () => {
    const clock = fakeClock()
    const tier = create({ clock: clock.now, maxEntries: 3 })
    tier.set('live1', entry(1))
    tier.set('dead', entry(2), clock.now() + 1)
    tier.set('live2', entry(3))
    clock.advance(1)
    tier.set('live3', entry(4))
    expect([...tier.keys()].sort()).toEqual(['live1', 'live2', 'live3'])
    expect(tier.stats()).toMatchObject({ evictions: 0, expirations: 1 })
  })

  test('a bad expiresAt is rejected', () => {
    const tier = create()
    expectError(() => tier.set('k', entry('v'), Number.NaN), InvalidOptionError)
    expectError(() => tier.set('k', entry('v'), '5' as unknown as number), InvalidOptionError)
    expect(tier.has('k')).toBe(false)
  })

  test('the default clock is Date.now', () => {
    const tier = create()
    tier.set('past', entry('v'), Date.now() - 1)
    tier.set('future', entry('v'), Date.now() + 60_000)
    expect(tier.has('past')).toBe(false)
    expect(tier.has('future')).toBe(true)
  })
}

function capacity(create: (options?: ContractTierOptions) => ContractTier) {
  test('maxEntries evicts the least recently used entry; a get refreshes it', () => {
    const tier = create({ maxEntries: 3 })
    tier.set('a', entry(1))
    tier.set('b', entry(2))
    tier.set('c', entry(3))
    tier.get('a')
    tier.set('d', entry(4))
    expect([...tier.keys()].sort()).toEqual(['a', 'c', 'd'])
    tier.peek('c') // peek and has do not count as uses
    tier.has('c')
    tier.set('a', entry(5)) // an overwrite is a use
    tier.set('e', entry(6))
    expect([...tier.keys()].sort()).toEqual(['a', 'd', 'e'])
    expect(tier.stats()).toMatchObject({ evictions: 2, entries: 3 })
  })

  test('a write never evicts the key it writes', () => {
    const tier = create({ maxEntries: 1 })
    for (let index = 0; index < 5; index++) {
      tier.set(`k${index}`, entry(index))
      expect(valueIn(tier.get(`k${index}`))).toBe(index)
      expect(tier.size).toBe(1)
    }
  })
}

function listeners(create: (options?: ContractTierOptions) => ContractTier) {
  test('report capacity, expired, deleted and replaced', () => {
    const clock = fakeClock()
    const recorded = evictions<CacheEntry>()
    const tier = create({ clock: clock.now, maxEntries: 2, onEvict: recorded.listener })
    tier.set('a', entry('a1'))
    tier.set('a', entry('a2'))
    tier.set('b', entry('b1'), clock.now() + 1)
    tier.set('c', entry('c1'))
    clock.advance(1)
    tier.get('b')
    tier.set('d', entry('d1'))
    tier.delete('c')
    tier.set('e', entry('e1'))
    tier.clear()
    expect(recorded.calls).toEqual([
      ['a', entry('a1'), 'replaced'],
      ['a', entry('a2'), 'capacity'],
      ['b', entry('b1'), 'expired'],
      ['c', entry('c1'), 'deleted'],
      ['d', entry('d1'), 'deleted'],
      ['e', entry('e1'), 'deleted'],
    ])
  })

  test('setting the same entry again is not a replacement', () => {
    const recorded = evictions<CacheEntry>()
    const tier = create({ onEvict: recorded.listener })
    const same = entry({ n: 1 })
    tier.set('k', same)
    tier.set('k', same)
    expect(recorded.calls).toEqual([])
  })

  test('clear reports entries already dead as expired', () => {
    const clock = fakeClock()
    const recorded = evictions<CacheEntry>()
    const tier = create({ clock: clock.now, onEvict: recorded.listener })
    tier.set('p:dead', entry(1), clock.now() + 1)
    tier.set('p:live', entry(2))
    clock.advance(1)
    tier.clear('p:')
    expect(recorded.calls.sort()).toEqual([
      ['p:dead', entry(1), 'expired'],
      ['p:live', entry(2), 'deleted'],
    ])
  })

  test('addEvictListener adds listeners after onEvict and returns an unsubscribe', () => {
    const order: string[] = []
    const tier = create({ onEvict: (key) => order.push(`option:${key}`) })
    const stop = tier.addEvictListener((key) => order.push(`added:${key}`))
    tier.set('a', entry(1))
    tier.delete('a')
    stop()
    stop()
    tier.set('b', entry(1))
    tier.delete('b')
    expect(order).toEqual(['option:a', 'added:a', 'option:b'])
    expectError(() => tier.addEvictListener('no' as never), InvalidOptionError)
  })

  test('listeners run after the operation and may call back into the tier', () => {
    const seen: unknown[] = []
    const tier = create({ maxEntries: 1 })
    tier.addEvictListener((key, value) => {
      seen.push(tier.get(key))
      if (value.value === 1) tier.set('reinserted', entry(99))
    })
    tier.set('a', entry(1))
    tier.set('b', entry(2))
    expect(seen).toEqual([undefined, undefined])
    expect([...tier.keys()]).toEqual(['reinserted'])
  })

  test('a throwing listener does not stop the others or corrupt the tier', () => {
    const tier = create({ maxEntries: 1 })
    const calls: string[] = []
    tier.addEvictListener(() => {
      throw new Error('listener failed')
    })
    tier.addEvictListener((key) => calls.push(key))
    tier.set('a', entry(1))
    expect(() => tier.set('b', entry(2))).toThrow('listener failed')
    expect(calls).toEqual(['a'])
    expect(valueIn(tier.get('b'))).toBe(2)
    expect(tier.size).toBe(1)
  })
}

function closing(create: (options?: ContractTierOptions) => ContractTier) {
  test('close is idempotent and every later call throws ClosedError naming the tier', () => {
    const tier = create({ name: 'closing' })
    tier.set('a', entry(1))
    tier.close()
    tier.close()
    const calls: (() => unknown)[] = [
      () => tier.get('a'),
      () => tier.peek('a'),
      () => tier.has('a'),
      () => tier.set('a', entry(1)),
      () => tier.delete('a'),
      () => tier.clear(),
      () => [...tier.keys()],
      () => tier.prune(),
    ]
    for (const call of calls) {
      expectError(call, ClosedError)
      expect(call).toThrow(/tier "closing" is closed/)
    }
  })
}

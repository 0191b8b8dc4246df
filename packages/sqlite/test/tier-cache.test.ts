import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { createCache, InvalidOptionError, memory, SerializationError } from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { runWorkers } from '@stack/test-servers/workers'
import { afterAll, describe, expect, test } from 'vitest'
import { fakeClock } from '../../core/test/memory/helpers.js'
import { sqliteTier } from '../src/index.js'
import type { TierReport, TierTask } from './fixtures/tier-worker.js'

const WORKER = new URL('./fixtures/tier-worker.ts', import.meta.url)
const directory = tempDir('sqlite-tier-cache')
afterAll(() => removeDir(directory))
let files = 0
const freshPath = (): string => join(directory, `${files++}.db`)

const runOne = async (task: TierTask): Promise<TierReport> =>
  (await runWorkers<TierTask, TierReport>(WORKER, [task]))[0] as TierReport

describe('a local-only cache on sqliteTier persists across restarts', () => {
  test('getOrSetSync: the second process gets the first one’s value without loading', async () => {
    const path = freshPath()
    const first = await runOne({ path, mode: 'getOrSetSync' })
    const second = await runOne({ path, mode: 'getOrSetSync' })
    expect(first.loads).toBe(1)
    expect(second.loads).toBe(0)
    expect(second.pid).not.toBe(first.pid)
    expect(second.results).toEqual(first.results)
    expect(second.results[0]).toMatchObject({ loadedBy: first.pid })
  }, 60_000)

  test('wrapSync: calls cached by one process are answered in the next', async () => {
    const path = freshPath()
    const first = await runOne({ path, mode: 'wrapSync', inputs: [2, 3, 2] })
    const second = await runOne({ path, mode: 'wrapSync', inputs: [3, 4, 2] })
    expect(first.loads).toBe(2)
    expect(second.loads, 'only 4 is new').toBe(1)
    expect(second.results).toEqual([
      { n: 3, square: 9, by: first.pid },
      { n: 4, square: 16, by: second.pid },
      { n: 2, square: 4, by: first.pid },
    ])
  }, 60_000)

  test('in one process: close, then a new cache on the same file', async () => {
    const path = freshPath()
    const before = createCache({ tiers: [sqliteTier({ path })] })
    expect(before.isLocalOnly).toBe(true)
    before.getOrSetSync('k', () => 'loaded', { ttl: '1h' })
    await before.close()
    const after = createCache({ tiers: [sqliteTier({ path })] })
    expect(after.getOrSetSync('k', () => 'reloaded')).toBe('loaded')
    expect(await after.get('k')).toBe('loaded')
    await after.close()
  })

  test('a tag invalidated before a restart never brings its entries back', async () => {
    const path = freshPath()
    const before = createCache({ tiers: [sqliteTier({ path })] })
    before.getOrSetSync('tagged', () => 'old', { ttl: '1h', tags: ['user:1'] })
    before.getOrSetSync('other', () => 'other', { ttl: '1h', tags: ['user:2'] })
    await before.invalidateTags(['user:1'])
    await before.close()
    // The invalidation lived only in the first cache's memory; the rows are still in the file.
    const after = createCache({ tiers: [sqliteTier({ path })] })
    expect(await after.get('tagged')).toBeUndefined()
    expect(after.getOrSetSync('tagged', () => 'new', { tags: ['user:1'] })).toBe('new')
    expect(await after.get('tagged')).toBe('new')
    // Tagged entries from before the restart are reloaded (a miss, never a wrong value).
    expect(await after.get('other')).toBeUndefined()
    await after.close()
  })

  test('the cache’s clock reaches the tier unless the tier has its own', async () => {
    const clock = fakeClock(Date.UTC(1990, 0, 1))
    const path = freshPath()
    const cache = createCache({ tiers: [sqliteTier({ path })], clock: clock.now })
    await cache.set('k', 'v', { ttl: 1_000 })
    expect(await cache.get('k')).toBe('v')
    clock.advance(1_000)
    expect(await cache.get('k')).toBeUndefined()
    await cache.close()
  })
})

describe('freshness through the cache', () => {
  test('a fake clock expires entries exactly at their ttl', async () => {
    const clock = fakeClock()
    const path = freshPath()
    const cache = createCache({ tiers: [sqliteTier({ path, clock: clock.now })], clock: clock.now })
    let loads = 0
    const load = () => ++loads
    expect(cache.getOrSetSync('k', load, { ttl: '1m' })).toBe(1)
    clock.advance(59_999)
    expect(cache.getOrSetSync('k', load, { ttl: '1m' })).toBe(1)
    clock.advance(1)
    expect(cache.getOrSetSync('k', load, { ttl: '1m' })).toBe(2)
    await cache.close()
  })

  test('staleUntil survives a restart: a grace fallback is served after reopening', async () => {
    const clock = fakeClock()
    const path = freshPath()
    const open = () =>
      createCache({ tiers: [sqliteTier({ path, clock: clock.now })], clock: clock.now })
    const first = open()
    await first.getOrSet('k', () => 'v1', { ttl: '1s', grace: '1h' })
    await first.close()
    clock.advance(5_000)
    const second = open()
    const value = await second.getOrSet(
      'k',
      () => {
        throw new Error('source down')
      },
      { ttl: '1s', grace: '1h' },
    )
    expect(value).toBe('v1')
    clock.advance(3_600_000)
    await expect(
      second.getOrSet('k', () => Promise.reject(new Error('still down')), {
        ttl: '1s',
        grace: '1h',
      }),
    ).rejects.toThrow('still down')
    await second.close()
  })

  test('evict events of the tier reach the cache', async () => {
    const cache = createCache({ tiers: [sqliteTier({ path: freshPath(), maxEntries: 1 })] })
    const events: unknown[] = []
    cache.on('evict', (event) => events.push(event))
    cache.getOrSetSync('a', () => 1)
    cache.getOrSetSync('b', () => 2)
    await cache.delete('b')
    expect(events).toEqual([
      { key: 'a', reason: 'capacity' },
      { key: 'b', reason: 'deleted' },
    ])
    await cache.close()
  })

  test('a loaded value the serializer refuses rejects getOrSetSync with SerializationError', async () => {
    const cache = createCache({ tiers: [sqliteTier({ path: freshPath() })] })
    let error: unknown
    try {
      cache.getOrSetSync('fn', () => () => 1)
    } catch (caught) {
      error = caught
    }
    expect(SerializationError.isInstance(error)).toBe(true)
    await cache.close()
  })
})

describe('supported tier shapes', () => {
  test('core takes one local tier, first: memory() in front of sqliteTier() is refused', () => {
    let error: unknown
    try {
      createCache({ tiers: [memory(), sqliteTier({ path: freshPath() })] })
    } catch (caught) {
      error = caught
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe('tiers')
  })
})

describe('several processes on one file', () => {
  test('4 processes loading, deleting and clearing shared keys at once: no failure, a consistent table', async () => {
    const path = freshPath() // a fresh file: the workers race to create it
    const startAt = Date.now() + 2000 // past every child's start-up, even on a busy machine
    const tasks = Array.from({ length: 4 }, () => ({
      path,
      mode: 'hammer' as const,
      startAt,
      iterations: 400,
      maxEntries: 50,
    }))
    const reports = await runWorkers<TierTask, TierReport>(WORKER, tasks)
    for (const report of reports) {
      expect(report.results[0]).toMatchObject({ errors: 0 })
      expect(report.loads).toBeGreaterThan(0)
    }

    const db = new DatabaseSync(path, { readOnly: true })
    const actual = db
      .prepare('SELECT count(*) AS rows, coalesce(sum(length(value)), 0) AS bytes FROM stack_tier')
      .get()
    expect(db.prepare('SELECT rows, bytes FROM stack_tier_count').get()).toEqual(actual)
    expect(actual?.rows).toBeLessThanOrEqual(50)
    db.close()

    const tier = sqliteTier({ path })
    for (const key of tier.keys()) expect(tier.get(key)).toBeDefined()
    expect(tier.stats().errors).toBe(0)
    tier.close()
  }, 60_000)
})

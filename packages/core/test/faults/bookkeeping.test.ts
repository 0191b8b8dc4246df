/**
 * Issue 9, "unbounded bookkeeping": the grace back-off state and the tag registry stay
 * bounded in a long-running process. 200k distinct keys and tags go through a cache
 * whose memory tier holds at most 1,000 entries and whose remote tier keeps nothing;
 * the fake clock moves far past every ttl and back-off, so whatever the engine keeps
 * could be swept. The engine exposes no size for these structures, so the check is the
 * heap after a full GC: a bound may only be reached after tens of thousands of items,
 * so the first 100k warm up and the second 100k must add (almost) nothing. Unbounded,
 * they add 77-150 B each (7-15 MB); the engine of issue 9 added 14 MB and 31 MB over 200k.
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { expect, test } from 'vitest'
import { type CacheEntry, createCache, memory, memoryStore, nullStore } from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { faultStore } from '../support/fault-store.js'

const WARM_UP = 100_000
const MEASURED = 100_000
/** Growth allowed over the measured 100k items: 30 B each, well under what unbounded state costs. */
const MAX_GROWTH_BYTES = 3 * 1024 * 1024

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function heapAfterGc(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Heap growth of `step(i)` for i in [WARM_UP, WARM_UP + MEASURED), after a warm-up. */
async function growth(step: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await step(i)
  const before = await heapAfterGc()
  for (let i = WARM_UP; i < WARM_UP + MEASURED; i++) await step(i)
  return (await heapAfterGc()) - before
}

function boundedCache(clock: ReturnType<typeof fakeClock>) {
  return createCache({
    tiers: [memory<CacheEntry>({ maxEntries: 1_000, clock: clock.now }), nullStore()],
    clock: clock.now,
    ttl: '1s',
    graceBackoff: '10s',
  })
}

test('grace back-off state stays bounded over 200k keys whose loader failed once', async () => {
  const clock = fakeClock()
  const cache = boundedCache(clock)
  const fail = () => {
    throw new Error('loader down')
  }
  const grown = await growth(async (i) => {
    await cache.set(`g${i}`, i, { ttl: 1, grace: '1h' })
    clock.advance(2)
    // The loader fails; the stale value is served within grace and a back-off recorded.
    expect(await cache.getOrSet(`g${i}`, fail, { grace: '1h' })).toBe(i)
  })
  expect(grown, `heap grew ${(grown / 1e6).toFixed(1)} MB`).toBeLessThan(MAX_GROWTH_BYTES)
}, 120_000)

test('the tag registry stays bounded over 200k distinct tags read and invalidated', async () => {
  const clock = fakeClock()
  const cache = boundedCache(clock)
  const grown = await growth(async (i) => {
    await cache.set(`k${i}`, i, { tags: [`tag${i}`] })
    await cache.get(`k${i}`) // reads the tag's timestamps
    clock.advance(2)
    await cache.invalidateTags([`tag${i}`])
  })
  expect(grown, `heap grew ${(grown / 1e6).toFixed(1)} MB`).toBeLessThan(MAX_GROWTH_BYTES)
}, 120_000)

test('reads end the watches they open on every path: hit, miss, stale, failure, strict failure, corrupt bytes', async () => {
  // A read that backfills opens a watch; one left open pins the record of every later
  // prefix mutation (a namespace clear here), so a leak on any path grows the heap by
  // ~100 B per read: 1 MB over these 10k rounds, against a few KB when none leaks.
  const clock = fakeClock()
  const shared = memoryStore({ clock: clock.now })
  const faulty = faultStore(shared)
  faulty.inject({ op: 'get', key: /#fail/, fault: { kind: 'throw' } })
  faulty.inject({ op: 'get', key: /#bad/, fault: { kind: 'corrupt', how: 'bit-flip' } })
  const reader = (strict: boolean) =>
    createCache({
      // Two remote tiers: a read may backfill the second one, so it opens a watch.
      tiers: [faulty, nullStore()],
      clock: clock.now,
      ttl: '1h',
      strict,
      circuitBreaker: false,
    })
  const lenient = reader(false)
  const strict = reader(true)
  const writer = createCache({ tiers: [shared], clock: clock.now, ttl: '1h' })
  await writer.set('stale', 1, { ttl: 1, staleWhileRevalidate: '1h' })
  await writer.set('bad', 1)
  await writer.set('hit', 1)
  clock.advance(2)
  const round = async () => {
    await lenient.get('hit') // a fresh hit in the first remote tier
    await lenient.namespace('n').clear()
    await lenient.get('miss')
    await lenient.namespace('n').clear()
    await lenient.get('stale')
    await lenient.namespace('n').clear()
    await lenient.get('fail') // the tier fails: a miss
    await lenient.namespace('n').clear()
    await strict.get('fail').catch(() => undefined) // the tier fails: an error
    await strict.namespace('n').clear()
    await strict.get('bad').catch(() => undefined) // corrupt bytes: an error
    await strict.namespace('n').clear()
  }
  for (let i = 0; i < 2_000; i++) await round()
  const before = await heapAfterGc()
  for (let i = 0; i < 10_000; i++) await round()
  const grown = (await heapAfterGc()) - before
  expect(grown, `heap grew ${(grown / 1e6).toFixed(2)} MB`).toBeLessThan(300_000)
}, 60_000)

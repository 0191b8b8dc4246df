/**
 * Hot-path benchmark of the memory tier against lru-cache 11, in one process and run:
 * `get` hits over a 1,000-key working set for every policy, overwrites, inserts that
 * evict, and hits on entries that carry a TTL. Keys are read in a seeded random order
 * (a cyclic order is a pathological case for segmented policies: every hit would
 * promote an entry and demote another).
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/tier.js`
 */
import { type EvictionPolicyName, type MemoryTier, memory } from '@stack/core'
import { LRUCache } from 'lru-cache'
import { bench, do_not_optimize, group, run, summary } from 'mitata'
import { seededRandom } from './sim/random.js'

const WORKING_SET = 1_000
const POLICIES: readonly EvictionPolicyName[] = ['lru', 'lfu', 'fifo', 'tinylfu']
const keys = Array.from({ length: WORKING_SET * 10 }, (_, index) => `user:${index}:profile`)
const value = { id: 1, name: 'Ada' }

function filledTier(policy: EvictionPolicyName, ttl?: number): MemoryTier<object> {
  const tier = memory<object>({ policy, maxEntries: WORKING_SET, ...(ttl ? { ttl } : {}) })
  for (let index = 0; index < WORKING_SET; index++) tier.set(keys[index] as string, value)
  return tier
}

function filledLruCache(ttl?: number): LRUCache<string, object> {
  const cache = new LRUCache<string, object>({ max: WORKING_SET, ...(ttl ? { ttl } : {}) })
  for (let index = 0; index < WORKING_SET; index++) cache.set(keys[index] as string, value)
  return cache
}

const ORDER_LENGTH = 1 << 16

/** Walks a fixed seeded random sequence of the first `span` keys. */
function cursor(span: number): () => string {
  const random = seededRandom(span)
  const order = Array.from(
    { length: ORDER_LENGTH },
    () => keys[Math.floor(random() * span)] as string,
  )
  let index = 0
  return () => {
    index = (index + 1) & (ORDER_LENGTH - 1)
    return order[index] as string
  }
}

group('get (hit, 1,000-key working set)', () => {
  summary(() => {
    const cache = filledLruCache()
    const next = cursor(WORKING_SET)
    bench('lru-cache get', () => do_not_optimize(cache.get(next()))).baseline(true)
    for (const policy of POLICIES) {
      const tier = filledTier(policy)
      const nextKey = cursor(WORKING_SET)
      bench(`memory(${policy}) get`, () => do_not_optimize(tier.get(nextKey())))
    }
  })
})

group('get (hit, entries with a 1 h TTL)', () => {
  summary(() => {
    const cache = filledLruCache(3_600_000)
    const next = cursor(WORKING_SET)
    bench('lru-cache get (ttl)', () => do_not_optimize(cache.get(next()))).baseline(true)
    for (const policy of ['lru', 'tinylfu'] as const) {
      const tier = filledTier(policy, 3_600_000)
      const nextKey = cursor(WORKING_SET)
      bench(`memory(${policy}) get (ttl)`, () => do_not_optimize(tier.get(nextKey())))
    }
  })
})

group('set (overwrite, 1,000-key working set)', () => {
  summary(() => {
    const cache = filledLruCache()
    const next = cursor(WORKING_SET)
    bench('lru-cache set', () => cache.set(next(), value)).baseline(true)
    for (const policy of POLICIES) {
      const tier = filledTier(policy)
      const nextKey = cursor(WORKING_SET)
      bench(`memory(${policy}) set`, () => tier.set(nextKey(), value))
    }
  })
})

group('set (new key, evicts; 10,000 keys into 1,000 entries)', () => {
  summary(() => {
    const cache = filledLruCache()
    const next = cursor(keys.length)
    bench('lru-cache set+evict', () => cache.set(next(), value)).baseline(true)
    for (const policy of POLICIES) {
      const tier = filledTier(policy)
      const nextKey = cursor(keys.length)
      bench(`memory(${policy}) set+evict`, () => tier.set(nextKey(), value))
    }
  })
})

/**
 * Medians resist the noise of a shared machine better than mitata's averages, so the
 * run ends with each benchmark's p50 relative to lru-cache in its group.
 */
function printMedianRatios(trials: Awaited<ReturnType<typeof run>>['benchmarks']): void {
  console.log('\np50 relative to lru-cache in the same group (lower is faster):')
  let baseline = Number.NaN
  for (const trial of trials) {
    const p50 = trial.runs[0]?.stats?.p50 ?? Number.NaN
    if (trial.baseline) baseline = p50
    const ratio = (p50 / baseline).toFixed(2)
    console.log(`  ${trial.alias.padEnd(28)} ${p50.toFixed(1).padStart(7)} ns  ${ratio}x`)
  }
}

const { benchmarks } = await run()
printMedianRatios(benchmarks)

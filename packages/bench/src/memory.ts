/**
 * The hit path of the whole library, against what a user would pick instead, in one
 * process and run: a 1,000-key working set, every read a hit.
 *
 * - raw `lru-cache` get (the bar), sync `memory()` tier get, and the floor of any async
 *   API: an `async` function around lru-cache's get, awaited
 * - `cache.get` and `cache.getOrSet` of @stack/core over `memory()`
 * - bentocache 1.x `get` / `getOrSet` (memory L1 only)
 * - cache-manager 7 `get` / `wrap` (its default in-memory Keyv store)
 *
 * Run: `pnpm bench` (or `node packages/bench/dist/memory.js` after a build).
 * Prints mitata's report, then a table of ratios against raw lru-cache.
 */
import { createCache, memory } from '@stack/core'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { createCache as createCacheManager } from 'cache-manager'
import { LRUCache } from 'lru-cache'
import { bench, do_not_optimize, group, run } from 'mitata'
import { cursor, formatNs, statistic } from './report.js'

const WORKING_SET = 1_000
const keys = Array.from({ length: WORKING_SET }, (_, index) => `user:${index}:profile`)
const value = { id: 1, name: 'Ada', roles: ['admin'] }
const loader = () => value

const lru = new LRUCache<string, object>({ max: WORKING_SET * 2 })
const tier = memory<object>({ maxEntries: WORKING_SET * 2 })
const stack = createCache({ tiers: [memory({ maxEntries: WORKING_SET * 2 })], ttl: '1h' })
const bento = new BentoCache({
  default: 'memory',
  stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: WORKING_SET * 2 })) },
})
const manager = createCacheManager()

for (const key of keys) {
  lru.set(key, value)
  tier.set(key, value)
  await stack.set(key, value)
  await bento.set({ key, value, ttl: '1h' })
  await manager.set(key, value, 3_600_000)
}

group('memory hit, 1,000-key working set', () => {
  const lruNext = cursor(keys)
  bench('lru-cache get', () => do_not_optimize(lru.get(lruNext())))
  const tierNext = cursor(keys)
  bench('@stack memory() tier get (sync)', () => do_not_optimize(tier.get(tierNext())))
  // The floor of any promise-returning get: an async function around lru-cache, awaited.
  const floorNext = cursor(keys)
  const asyncLruGet = async (key: string) => lru.get(key)
  bench('await async lru-cache get (floor)', async () =>
    do_not_optimize(await asyncLruGet(floorNext())),
  )
  const getNext = cursor(keys)
  bench('@stack cache.get', async () => do_not_optimize(await stack.get(getNext())))
  const orSetNext = cursor(keys)
  bench('@stack cache.getOrSet', async () =>
    do_not_optimize(await stack.getOrSet(orSetNext(), loader)),
  )
  const bentoNext = cursor(keys)
  bench('bentocache get', async () => do_not_optimize(await bento.get({ key: bentoNext() })))
  const bentoOrSetNext = cursor(keys)
  bench('bentocache getOrSet', async () =>
    do_not_optimize(await bento.getOrSet({ key: bentoOrSetNext(), factory: loader, ttl: '1h' })),
  )
  const managerNext = cursor(keys)
  bench('cache-manager get', async () => do_not_optimize(await manager.get(managerNext())))
  const wrapNext = cursor(keys)
  bench('cache-manager wrap', async () =>
    do_not_optimize(await manager.wrap(wrapNext(), loader, 3_600_000)),
  )
})

const { benchmarks } = await run()
const averages = statistic(benchmarks)
const baseline = averages.get('lru-cache get') ?? Number.NaN
console.log('\nratio to raw lru-cache get (lower is faster)')
console.log('| benchmark | avg | × lru-cache |\n| --- | ---: | ---: |')
for (const [name, avg] of averages) {
  console.log(`| ${name} | ${formatNs(avg)} | ${(avg / baseline).toFixed(2)}× |`)
}
const ratio = (a: string, b: string) =>
  (averages.get(a) ?? Number.NaN) / (averages.get(b) ?? Number.NaN)
console.log(
  `\ntargets: cache.get ≤ 3× lru-cache: ${ratio('@stack cache.get', 'lru-cache get').toFixed(2)}×; ` +
    `bentocache get / cache.get ≥ 5: ${ratio('bentocache get', '@stack cache.get').toFixed(1)}×; ` +
    `getOrSet ≤ 4× lru-cache: ${ratio('@stack cache.getOrSet', 'lru-cache get').toFixed(2)}×`,
)
console.log(
  `above the await floor: cache.get ${ratio('@stack cache.get', 'await async lru-cache get (floor)').toFixed(2)}×, ` +
    `getOrSet ${ratio('@stack cache.getOrSet', 'await async lru-cache get (floor)').toFixed(2)}×`,
)

await Promise.all([stack.close(), bento.disconnect(), manager.disconnect()])

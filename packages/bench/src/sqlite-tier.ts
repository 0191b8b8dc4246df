/**
 * The synchronous SQLite tier against the memory tier (what it replaces as the local
 * tier) and against the SQLite store behind an asynchronous cache (what one used before
 * to persist), in one process and run, 1,000 keys of a small object value, WAL file
 * databases:
 *
 * - a tier `get` hit (decodes the envelope every time)
 * - a tier `set` overwrite (one write transaction: upsert, sweep, bound check)
 * - a cache hit: `getOrSetSync` on [sqliteTier] and on [memory], `getOrSet` on [sqliteStore]
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/sqlite-tier.js`.
 * Prints mitata's report, then ratios.
 */
import { join } from 'node:path'
import { type CacheEntry, createCache, memory } from '@stack/core'
import { sqliteStore, sqliteTier } from '@stack/sqlite'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { bench, do_not_optimize, group, run } from 'mitata'
import { cursor, formatNs, statistic } from './report.js'

const KEYS = 1_000
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)
const value = { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'dev'] }
const entry: CacheEntry = {
  value,
  createdAt: Date.now(),
  freshUntil: Number.POSITIVE_INFINITY,
  staleUntil: Number.POSITIVE_INFINITY,
  tags: [],
}

const root = tempDir('bench-sqlite-tier')
const diskTier = sqliteTier({ path: join(root, 'tier.db'), maxEntries: 10_000 })
const memoryTier = memory({ maxEntries: 10_000, policy: 'lru' })
for (const key of keys) {
  diskTier.set(key, entry)
  memoryTier.set(key, entry)
}

const onDisk = createCache({
  tiers: [sqliteTier({ path: join(root, 'cache.db'), maxEntries: 10_000 })],
  ttl: '1h',
})
const inMemory = createCache({ tiers: [memory({ maxEntries: 10_000 })], ttl: '1h' })
const overStore = createCache({ tiers: [sqliteStore({ path: join(root, 'store.db') })], ttl: '1h' })
for (const key of keys) {
  onDisk.getOrSetSync(key, () => value)
  inMemory.getOrSetSync(key, () => value)
  await overStore.getOrSet(key, () => value)
}
const load = () => value

group('tier get, hit', () => {
  const memoryNext = cursor(keys)
  bench('memory() get', () => do_not_optimize(memoryTier.get(memoryNext())))
  const diskNext = cursor(keys)
  bench('sqliteTier get', () => do_not_optimize(diskTier.get(diskNext())))
})

group('tier set, overwrite', () => {
  const memoryNext = cursor(keys)
  bench('memory() set', () => memoryTier.set(memoryNext(), { ...entry }))
  const diskNext = cursor(keys)
  bench('sqliteTier set', () => diskTier.set(diskNext(), { ...entry }))
})

group('cache hit', () => {
  const memoryNext = cursor(keys)
  bench('getOrSetSync on [memory()]', () =>
    do_not_optimize(inMemory.getOrSetSync(memoryNext(), load)),
  )
  const diskNext = cursor(keys)
  bench('getOrSetSync on [sqliteTier()]', () =>
    do_not_optimize(onDisk.getOrSetSync(diskNext(), load)),
  )
  const storeNext = cursor(keys)
  bench('getOrSet on [sqliteStore()]', async () =>
    do_not_optimize(await overStore.getOrSet(storeNext(), load)),
  )
})

const { benchmarks } = await run()
const averages = statistic(benchmarks)
const rows: [string, string][] = [
  ['sqliteTier get', 'memory() get'],
  ['sqliteTier set', 'memory() set'],
  ['getOrSetSync on [sqliteTier()]', 'getOrSetSync on [memory()]'],
  ['getOrSetSync on [sqliteTier()]', 'getOrSet on [sqliteStore()]'],
]
console.log('\nratios (lower is faster)')
console.log('| benchmark | avg | against | avg | ratio |')
console.log('| --- | ---: | --- | ---: | ---: |')
for (const [ours, theirs] of rows) {
  const a = averages.get(ours) ?? Number.NaN
  const b = averages.get(theirs) ?? Number.NaN
  console.log(`| ${ours} | ${formatNs(a)} | ${theirs} | ${formatNs(b)} | ${(a / b).toFixed(2)}× |`)
}

diskTier.close()
memoryTier.close()
await Promise.all([onDisk.close(), inMemory.close(), overStore.close()])
removeDir(root)

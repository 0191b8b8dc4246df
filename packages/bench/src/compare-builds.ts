/**
 * Before/after of a change to core's remote read path, in one process and one run: two or
 * more builds of `@stack/core` (each a `dist` directory, e.g. of a `git worktree` at the
 * commit to compare) read the same keys from one real Redis, interleaved with the raw
 * `MGET` they are measured against: 100 concurrent `get`s, 100 concurrent `getOrSet` hits
 * and one `getMany(100)` per round. Prints p50 and × `MGET`.
 *
 * Run: `node packages/bench/dist/compare-builds.js before=/path/to/core/dist after=packages/core/dist`
 * (`BENCH_BUDGET_MS`, default 10,000).
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { redisStore } from '@stack/redis'
import { startRedis } from '@stack/test-servers/redis'
import { Redis } from 'ioredis'
import { type Case, interleave } from './interleave.js'
import { formatNs } from './report.js'

type CoreModule = typeof import('@stack/core')

const BATCH = 100
const keys = Array.from({ length: 1_000 }, (_, index) => `user:${index}:profile`)
const windows = Array.from({ length: keys.length / BATCH }, (_, w) =>
  keys.slice(w * BATCH, (w + 1) * BATCH),
)
let turn = 0
/** The loader of the getOrSet rounds: every key is cached, so it never runs. */
const missed = () => ({ id: -1 })
const next = () => windows[turn++ % windows.length] as string[]

const builds = process.argv.slice(2).map((arg) => {
  const [label, dir] = arg.split('=')
  if (!label || !dir) throw new Error(`expected label=path/to/core/dist, got "${arg}"`)
  return { label, dir: resolve(dir) }
})
if (builds.length === 0) throw new Error('name at least one build: label=path/to/core/dist')

const server = await startRedis()
if (!server) throw new Error('redis-server not found')
const raw = new Redis(server.port, '127.0.0.1')
const cases: Case[] = [
  { name: 'raw MGET', run: () => raw.mgetBuffer(next().map((key) => `raw:${key}`)) },
]
const stores = []
const caches: ReturnType<CoreModule['createCache']>[] = []
for (const { label, dir } of builds) {
  const core = (await import(pathToFileURL(`${dir}/index.js`).href)) as CoreModule
  const store = redisStore({ url: server.url, keyPrefix: 'b:' })
  stores.push(store)
  const cache = core.createCache({ tiers: [store], ttl: '1h', prefix: 'compare' })
  caches.push(cache)
  cases.push(
    {
      name: `${label}: ${BATCH} concurrent get`,
      run: () => Promise.all(next().map((key) => cache.get(key))),
    },
    {
      name: `${label}: ${BATCH} concurrent getOrSet hits`,
      run: () => Promise.all(next().map((key) => cache.getOrSet(key, missed))),
    },
    { name: `${label}: getMany(${BATCH})`, run: () => cache.getMany(next()) },
  )
}

// Every build reads the same stored entries, written interleaved with the raw keys: where
// Redis placed a key shows in its read time (keys written later read up to 8% faster,
// in the order they were written), so each contender must read keys of the same age.
for (const [id, key] of keys.entries()) {
  await raw.set(`raw:${key}`, JSON.stringify({ id }))
  await caches[0]?.set(key, { id })
}
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 10_000)
const timings = await interleave(cases, { warmup: 200, budgetMs })
const base = timings.get('raw MGET')?.p50 ?? Number.NaN
console.log('| case | p50 | × raw MGET |\n| --- | ---: | ---: |')
for (const [name, { p50 }] of timings) {
  console.log(`| ${name} | ${formatNs(p50)} | ${(p50 / base).toFixed(2)}× |`)
}
raw.disconnect()
await Promise.all(stores.map((store) => store.close()))
await server.stop()

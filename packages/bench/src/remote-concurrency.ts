/**
 * Remote tiers under concurrency, every library in one process and one run, on Redis,
 * PostgreSQL and Memcached servers started by the test harness on loopback (1,000 keys,
 * values `{ id }`):
 *
 * - 1, 10 and 100 concurrent `get`s and `getOrSet` hits of distinct keys through a
 *   remote-only cache and through memory → remote with a cold memory tier (10 entries
 *   against the 1,000-key rotation), for @stack (with and without read coalescing),
 *   bentocache and cache-manager 7, next to the raw client: one call per key,
 *   auto-pipelined where it exists, and its batch read of the same keys;
 * - `getMany` of 100 keys (the store's, the store's with each envelope decoded, and the
 *   cache's) next to the raw batch read.
 *
 * The cases of one backend and concurrency run in interleaved rounds (see `interleave.ts`)
 * for `BENCH_BUDGET_MS` (default 4,000) each, so that load on a shared machine falls on
 * every contender alike; times are medians of one call.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/remote-concurrency.js`.
 * Prints per backend a table of p50 times and ratios, the issue-12 targets, and writes
 * the chart `docs/images/remote-concurrency.svg`. A backend whose server binary is
 * missing is skipped with a note.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCache, EnvelopeCodec, memoryStore, structuredSerializer } from '@stack/core'
import { startMemcached } from '@stack/test-servers/memcached'
import { startPostgres } from '@stack/test-servers/postgres'
import { startRedis } from '@stack/test-servers/redis'
import { type Case, interleave, type Timing } from './interleave.js'
import {
  type Backend,
  memcachedBackend,
  postgresBackend,
  type Read,
  redisBackend,
} from './remote-contenders.js'
import { formatNs } from './report.js'
import { type BarGroup, barChart } from './svg-chart.js'

const KEYS = 1_000
const CONCURRENCY = [1, 10, 100] as const
const BATCH = 100
/** Measuring time per group of cases (one backend, one concurrency). */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 4_000)
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)

/** Consecutive windows of `n` keys, cycled so each call reads keys the last one did not. */
function windows(n: number): () => readonly string[] {
  const all = Array.from({ length: Math.floor(KEYS / n) }, (_, i) => keys.slice(i * n, i * n + n))
  let index = 0
  return () => {
    index = index + 1 === all.length ? 0 : index + 1
    return all[index] as readonly string[]
  }
}

/** The raw batch read with each value parsed: the fair floor for a cache's `getMany`. */
const RAW_PARSED = 'raw batch + JSON.parse of each value'
const STORE_MANY = 'store getMany'
/** The store's batch with each envelope decoded: the floor of a checked read. */
const STORE_DECODED = 'store getMany + envelope decode of each value'
const name = (backend: string, label: string, n: number) => `${backend} · ${label} ×${n}`

/** `n` concurrent calls of `read`, each call on the next window of keys. */
function concurrent(backend: string, label: string, n: number, read: Read): Case {
  const next = windows(n)
  return { name: name(backend, label, n), run: () => Promise.all(next().map((key) => read(key))) }
}

/** Every case of one backend and concurrency, measured together in interleaved rounds. */
function casesAt(backend: Backend, n: number): Case[] {
  const b = backend.name
  const batchNext = windows(n)
  return [
    concurrent(b, 'raw get', n, backend.rawSingle),
    ...(backend.rawPipelined
      ? [concurrent(b, 'raw get, auto-pipelined', n, backend.rawPipelined)]
      : []),
    { name: name(b, backend.rawBatchName, n), run: () => backend.rawBatch(batchNext()) },
    ...backend.caches.flatMap((cache) => [
      concurrent(b, `${cache.label} get`, n, cache.get),
      concurrent(b, `${cache.label} getOrSet`, n, cache.getOrSet),
    ]),
  ]
}

/**
 * The keys @stack's caches (prefix `stack`) store for each caller key, learnt from a
 * cache of the same prefix over a `memoryStore` (not every store can list its keys).
 * Every one must be found, so the store's own `getMany` rows measure hits.
 */
async function storedKeysOf(backend: Backend): Promise<Map<string, string>> {
  const probeStore = memoryStore()
  await createCache({ tiers: [probeStore], prefix: 'stack' }).set('probe', 1)
  let layout = ''
  for await (const key of probeStore.keys?.('') ?? []) layout = key.slice(0, -'probe'.length)
  const stored = new Map(keys.map((key) => [key, `${layout}${key}`]))
  const values = (await backend.store.getMany?.([...stored.values()])) ?? []
  if (values.length !== keys.length || values.some((value) => value === undefined)) {
    throw new Error(`${backend.name}: the store's getMany rows would read missing keys`)
  }
  return stored
}

/** Decodes envelopes as a cache does: checksum, key digest, lifetime, payload. */
const codec = new EnvelopeCodec({
  serializer: structuredSerializer,
  compressThreshold: Number.POSITIVE_INFINITY,
})

function getManyCases(backend: Backend, stored: Map<string, string>): Case[] {
  const b = backend.name
  const rawNext = windows(BATCH)
  const parsedNext = windows(BATCH)
  const storeNext = windows(BATCH)
  const decodedNext = windows(BATCH)
  const cacheNext = windows(BATCH)
  const stack = backend.caches[0]
  const storeKeys = (many: readonly string[]) => many.map((key) => stored.get(key) as string)
  return [
    {
      name: name(b, `${backend.rawBatchName} (getMany)`, BATCH),
      run: () => backend.rawBatch(rawNext()),
    },
    {
      name: name(b, RAW_PARSED, BATCH),
      run: () => backend.rawBatchParsed(parsedNext()),
    },
    {
      name: name(b, STORE_MANY, BATCH),
      run: async () => backend.store.getMany?.(storeKeys(storeNext())),
    },
    {
      name: name(b, STORE_DECODED, BATCH),
      run: async () => {
        const many = storeKeys(decodedNext())
        const values = (await backend.store.getMany?.(many)) ?? []
        return values.map((bytes, i) => bytes && codec.decode(many[i] as string, bytes))
      },
    },
    {
      name: name(b, '@stack cache.getMany', BATCH),
      run: async () => stack?.getMany?.(cacheNext()),
    },
  ]
}

const backends: Backend[] = []
const redis = await startRedis()
if (redis) backends.push(await redisBackend(redis.url, redis.port, keys))
else console.log('redis-server not found: skipping Redis')
const pgServer = await startPostgres()
if (pgServer) backends.push(await postgresBackend(pgServer.url, keys))
else console.log('PostgreSQL not found: skipping PostgreSQL')
// One worker thread, so every client's connection is served alike: with memcached's four,
// a connection on a thread another contender just woke answered in ~33 µs and the others
// in ~80 µs, a thread-placement artifact that put any client at 1× or 2.5× by luck.
const memcached = await startMemcached({ extraArgs: ['-t', '1'] })
if (memcached) backends.push(await memcachedBackend(memcached.address, keys))
else console.log('memcached not found: skipping Memcached')

const timings = new Map<string, Timing>()
for (const backend of backends) {
  const stored = await storedKeysOf(backend)
  for (const cases of [
    ...CONCURRENCY.map((n) => casesAt(backend, n)),
    getManyCases(backend, stored),
  ]) {
    for (const [caseName, timing] of await interleave(cases, { budgetMs: BUDGET_MS })) {
      timings.set(caseName, timing)
    }
    console.log(`measured ${cases.length} cases: ${cases[0]?.name.split(' · ')[0]}`)
  }
}
const p50 = new Map([...timings].map(([caseName, timing]) => [caseName, timing.p50]))
const at = (stats: Map<string, number>, backend: string, label: string, n: number) =>
  stats.get(name(backend, label, n)) ?? Number.NaN
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`

for (const backend of backends) {
  const b = backend.name
  console.log(
    `\n${b}: p50 time per call of n concurrent reads (× the raw batch read of the same n keys)`,
  )
  console.log(`| library, read | ${CONCURRENCY.map((n) => `n = ${n}`).join(' | ')} |`)
  console.log(`| --- | ${CONCURRENCY.map(() => '---:').join(' | ')} |`)
  const labels = [
    backend.rawBatchName,
    'raw get',
    ...(backend.rawPipelined ? ['raw get, auto-pipelined'] : []),
    ...backend.caches.flatMap((cache) => [`${cache.label} get`, `${cache.label} getOrSet`]),
  ]
  for (const label of labels) {
    const cells = CONCURRENCY.map((n) => {
      const time = at(p50, b, label, n)
      return `${formatNs(time)} (${ratio(time, at(p50, b, backend.rawBatchName, n))})`
    })
    console.log(`| ${label} | ${cells.join(' | ')} |`)
  }
  const rawMany = at(p50, b, `${backend.rawBatchName} (getMany)`, BATCH)
  console.log(`\n${b}: getMany of ${BATCH} (p50)`)
  console.log('| call | p50 | × raw batch |\n| --- | ---: | ---: |')
  for (const label of [
    `${backend.rawBatchName} (getMany)`,
    RAW_PARSED,
    STORE_MANY,
    STORE_DECODED,
    '@stack cache.getMany',
  ]) {
    const time = at(p50, b, label, BATCH)
    console.log(`| ${label} | ${formatNs(time)} | ${ratio(time, rawMany)} |`)
  }
}

console.log('\nissue-12 targets, in this run')
console.log('| target | measured | holds |\n| --- | --- | --- |')
const target = (what: string, value: number, limit: number, detail: string) =>
  console.log(`| ${what} | ${value.toFixed(2)}× ${detail} | ${value <= limit ? 'yes' : 'NO'} |`)
if (backends.some((backend) => backend.name === 'Redis')) {
  const stack100 = at(p50, 'Redis', '@stack get', BATCH)
  target(
    '100 concurrent gets ≤ 2× raw MGET',
    stack100 / at(p50, 'Redis', 'ioredis MGET', BATCH),
    2,
    '(p50)',
  )
  for (const other of ['bentocache L2 get', 'cache-manager (Keyv) get']) {
    target(
      `faster than ${other}`,
      stack100 / at(p50, 'Redis', other, BATCH),
      1,
      '(p50, < 1 is faster)',
    )
  }
}
for (const backend of backends) {
  const b = backend.name
  const many =
    at(p50, b, '@stack cache.getMany', BATCH) /
    at(p50, b, `${backend.rawBatchName} (getMany)`, BATCH)
  target(`${b} getMany(100) ≤ 1.3× raw batch`, many, 1.3, '(p50)')
  const manyParsed = at(p50, b, '@stack cache.getMany', BATCH) / at(p50, b, RAW_PARSED, BATCH)
  target(`${b} getMany(100) ≤ 1.3× raw batch + JSON.parse`, manyParsed, 1.3, '(p50)')
  const single = at(p50, b, '@stack get', 1) / at(p50, b, 'raw get', 1)
  target(`${b} serial get ≤ 1.1× raw get`, single, 1.1, '(p50)')
}

const chartLabels = (backend: Backend) => [
  { label: backend.rawBatchName, ours: false },
  { label: 'raw get', ours: false },
  ...(backend.rawPipelined ? [{ label: 'raw get, auto-pipelined', ours: false }] : []),
  ...backend.caches
    .filter((cache) => !cache.label.includes('cold'))
    .map((cache) => ({ label: `${cache.label} get`, ours: cache.ours })),
]
const groups: BarGroup[] = backends.map((backend) => ({
  title: `${backend.name}: ${BATCH} concurrent gets`,
  bars: chartLabels(backend).map(({ label, ours }) => ({
    label,
    value: at(p50, backend.name, label, BATCH) / 1_000,
    ours,
  })),
}))
const chartPath = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../docs/images/remote-concurrency.svg',
)
mkdirSync(dirname(chartPath), { recursive: true })
writeFileSync(
  chartPath,
  barChart(
    `${BATCH} concurrent gets of distinct keys, remote-only caches (µs per ${BATCH}, lower is better)`,
    `One process, one run (p50 of interleaved rounds), servers on loopback, Node ${process.versions.node}; @stack in orange.`,
    groups,
    (us) => `${us.toFixed(0)} µs`,
  ),
)
console.log(`\nchart written to ${chartPath}`)

await Promise.all(backends.map((backend) => backend.close()))
await Promise.all([redis?.stop(), pgServer?.stop(), memcached?.stop()])

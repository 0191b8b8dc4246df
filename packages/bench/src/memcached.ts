/**
 * The memcached store against raw memjs, in one process and run, on a `memcached`
 * started by the test harness on loopback:
 *
 * - raw `client.get` vs `memcachedStore().get`, one at a time and 100 concurrent
 * - raw `client.set` with an expiry vs `memcachedStore().set`
 * - 100 raw gets in parallel vs `memcachedStore().getMany` of 100 keys
 *
 * The store pipelines each read with a read of the server's clear log (see the package
 * README) and checks each write against it, so it sends two requests where memjs sends one.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/memcached.js`.
 * Prints mitata's report, then ratios against raw memjs. Skips without memcached.
 */
import { memcachedStore } from '@stack/memcached'
import { startMemcached } from '@stack/test-servers/memcached'
import memjs from 'memjs'
import { bench, do_not_optimize, group, run } from 'mitata'
import { cursor, printRatios, statistic } from './report.js'

const KEYS = 1_000
const BATCH = 100
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)
const value = Buffer.alloc(256, 7)
const HOUR_S = 3_600
const far = () => Date.now() + HOUR_S * 1000

const server = await startMemcached()
if (!server) {
  console.log('memcached not found: skipping the memcached benchmark')
  process.exit(0)
}

const raw = memjs.Client.create(server.address, { logger: { log: () => undefined } })
const store = memcachedStore({ client: server.address, namespace: 'bench' })
for (const key of keys) await raw.set(`raw:${key}`, value, { expires: HOUR_S })
await store.setMany(keys.map((key) => ({ key, value, expiresAt: far() })))
const batch = keys.slice(0, BATCH)
const rawBatch = batch.map((key) => `raw:${key}`)

group('single get (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('memjs get', async () => do_not_optimize(await raw.get(`raw:${rawNext()}`)))
  const storeNext = cursor(keys)
  bench('memcachedStore get', async () => do_not_optimize(await store.get(storeNext())))
})

group('100 concurrent gets', () => {
  bench('memjs get ×100', async () =>
    do_not_optimize(await Promise.all(rawBatch.map((key) => raw.get(key)))),
  )
  bench('memcachedStore get ×100', async () =>
    do_not_optimize(await Promise.all(batch.map((key) => store.get(key)))),
  )
  bench('memcachedStore getMany', async () => do_not_optimize(await store.getMany(batch)))
})

group('single set with expiry', () => {
  const rawNext = cursor(keys)
  bench('memjs set', async () =>
    do_not_optimize(await raw.set(`raw:${rawNext()}`, value, { expires: HOUR_S })),
  )
  const storeNext = cursor(keys)
  bench('memcachedStore set', async () =>
    do_not_optimize(await store.set(storeNext(), value, far())),
  )
})

const { benchmarks } = await run()
const averages = statistic(benchmarks)
const pairs: [string, string][] = [
  ['memcachedStore get', 'memjs get'],
  ['memcachedStore get ×100', 'memjs get ×100'],
  ['memcachedStore getMany', 'memjs get ×100'],
  ['memcachedStore set', 'memjs set'],
]
printRatios('ratio to raw memjs (lower is faster)', 'raw memjs', averages, pairs)

await store.close()
raw.close()
await server.stop()

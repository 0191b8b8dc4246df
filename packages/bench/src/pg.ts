/**
 * The PostgreSQL store against raw postgres.js, in one process and run, on a PostgreSQL
 * server started by the test harness on loopback:
 *
 * - raw `SELECT value ... WHERE key = $1` vs `pgStore().get`, one at a time and 100 concurrent
 * - raw `INSERT ... ON CONFLICT DO UPDATE` vs `pgStore().set`
 * - raw `SELECT ... WHERE key = ANY($1)` of 100 keys vs `pgStore().getMany`
 *
 * The raw table is the minimal one a user would write (`key text primary key, value bytea`);
 * the store adds the expiry column and check, the hashed primary key, and its timeout.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/pg.js`.
 * Prints mitata's report, then ratios against raw postgres.js. Skips without PostgreSQL.
 */
import { pgStore } from '@stack/pg'
import { startPostgres } from '@stack/test-servers/postgres'
import { bench, do_not_optimize, group, run } from 'mitata'
import postgres from 'postgres'
import { cursor, printRatios, statistic } from './report.js'

const KEYS = 1_000
const BATCH = 100
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)
const value = Buffer.alloc(256, 7)
const far = () => Date.now() + 3_600_000

const server = await startPostgres()
if (!server) {
  console.log('PostgreSQL not found: skipping the PostgreSQL benchmark')
  process.exit(0)
}

const raw = postgres(server.url, { onnotice: () => undefined, max: 10 })
const store = pgStore({ client: server.url, table: 'bench_store', purgeInterval: false })
await raw`CREATE TABLE raw_cache (key text PRIMARY KEY, value bytea NOT NULL)`
for (const key of keys) {
  await raw`INSERT INTO raw_cache VALUES (${key}, ${value})`
}
await store.setMany(keys.map((key) => ({ key, value, expiresAt: far() })))
const batch = keys.slice(0, BATCH)

const rawGet = async (key: string) => (await raw`SELECT value FROM raw_cache WHERE key = ${key}`)[0]

group('single get (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('postgres.js select', async () => do_not_optimize(await rawGet(rawNext())))
  const storeNext = cursor(keys)
  bench('pgStore get', async () => do_not_optimize(await store.get(storeNext())))
})

group('100 concurrent gets', () => {
  bench('postgres.js select ×100', async () =>
    do_not_optimize(await Promise.all(batch.map(rawGet))),
  )
  bench('pgStore get ×100', async () =>
    do_not_optimize(await Promise.all(batch.map((key) => store.get(key)))),
  )
})

group('single set', () => {
  const rawNext = cursor(keys)
  bench('postgres.js upsert', async () =>
    do_not_optimize(
      await raw`INSERT INTO raw_cache VALUES (${rawNext()}, ${value})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
  )
  const storeNext = cursor(keys)
  bench('pgStore set', async () => do_not_optimize(await store.set(storeNext(), value, far())))
})

group('getMany of 100 keys', () => {
  bench('postgres.js = ANY', async () =>
    do_not_optimize(await raw`SELECT key, value FROM raw_cache WHERE key = ANY(${batch})`),
  )
  bench('pgStore getMany', async () => do_not_optimize(await store.getMany(batch)))
})

const { benchmarks } = await run()
const averages = statistic(benchmarks)
const pairs: [string, string][] = [
  ['pgStore get', 'postgres.js select'],
  ['pgStore get ×100', 'postgres.js select ×100'],
  ['pgStore set', 'postgres.js upsert'],
  ['pgStore getMany', 'postgres.js = ANY'],
]
printRatios('ratio to raw postgres.js (lower is faster)', 'raw postgres.js', averages, pairs)

await Promise.all([store.close(), raw.end()])
await server.stop()

/**
 * Would coalescing writes pay? 100 concurrent single writes against one batch write of
 * the same 100 entries, per backend (Redis, PostgreSQL, Memcached on loopback), at the
 * store and through a remote-only @stack cache. Coalescing concurrent `set`s into
 * `setMany` could at best turn the first figure of each pair into the second.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/remote-writes.js`.
 */
import { createCache, type RemoteStore } from '@stack/core'
import { memcachedStore } from '@stack/memcached'
import { pgStore } from '@stack/pg'
import { redisStore } from '@stack/redis'
import { startMemcached } from '@stack/test-servers/memcached'
import { startPostgres } from '@stack/test-servers/postgres'
import { startRedis } from '@stack/test-servers/redis'
import { bench, do_not_optimize, group, run } from 'mitata'
import { printRatios, statistic } from './report.js'

const BATCH = 100
const keys = Array.from({ length: BATCH }, (_, index) => `user:${index}:profile`)
const value = Buffer.alloc(64, 7)
const far = () => Date.now() + 3_600_000

const redis = await startRedis()
const pgServer = await startPostgres()
const memcached = await startMemcached()
const stores: [string, RemoteStore][] = []
if (redis) stores.push(['Redis', redisStore({ url: redis.url })])
if (pgServer) stores.push(['PostgreSQL', pgStore({ client: pgServer.url, purgeInterval: false })])
if (memcached) stores.push(['Memcached', memcachedStore({ client: memcached.address })])

const pairs: [string, string][] = []
for (const [name, store] of stores) {
  const cache = createCache({ tiers: [store], ttl: '1h' })
  group(`${name}: 100 writes`, () => {
    bench(`${name} store.set ×100 concurrent`, async () =>
      do_not_optimize(await Promise.all(keys.map((key) => store.set(key, value, far())))),
    )
    bench(`${name} store.setMany(100)`, async () =>
      do_not_optimize(await store.setMany?.(keys.map((key) => ({ key, value, expiresAt: far() })))),
    )
    bench(`${name} cache.set ×100 concurrent`, async () =>
      do_not_optimize(await Promise.all(keys.map((key, id) => cache.set(key, { id })))),
    )
    bench(`${name} cache.setMany(100)`, async () =>
      do_not_optimize(await cache.setMany(keys.map((key, id) => ({ key, value: { id } })))),
    )
  })
  pairs.push(
    [`${name} store.set ×100 concurrent`, `${name} store.setMany(100)`],
    [`${name} cache.set ×100 concurrent`, `${name} cache.setMany(100)`],
  )
}

const { benchmarks } = await run()
printRatios(
  '100 concurrent single writes vs one batch write (> 1× is what coalescing could gain)',
  'batch',
  statistic(benchmarks),
  pairs,
)
await Promise.all(stores.map(([, store]) => store.close()))
await Promise.all([redis?.stop(), pgServer?.stop(), memcached?.stop()])

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
import { type Case, interleave } from './interleave.js'
import { formatNs } from './report.js'

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
const p50 = new Map<string, number>()
for (const [name, store] of stores) {
  const cache = createCache({ tiers: [store], ttl: '1h' })
  const cases: Case[] = [
    {
      name: `${name} store.set ×100 concurrent`,
      run: () => Promise.all(keys.map((key) => store.set(key, value, far()))),
    },
    {
      name: `${name} store.setMany(100)`,
      run: async () => store.setMany?.(keys.map((key) => ({ key, value, expiresAt: far() }))),
    },
    {
      name: `${name} cache.set ×100 concurrent`,
      run: () => Promise.all(keys.map((key, id) => cache.set(key, { id }))),
    },
    {
      name: `${name} cache.setMany(100)`,
      run: () => cache.setMany(keys.map((key, id) => ({ key, value: { id } }))),
    },
  ]
  for (const [caseName, timing] of await interleave(cases)) p50.set(caseName, timing.p50)
  pairs.push(
    [`${name} store.set ×100 concurrent`, `${name} store.setMany(100)`],
    [`${name} cache.set ×100 concurrent`, `${name} cache.setMany(100)`],
  )
}

console.log('\n100 concurrent single writes vs one batch write (p50 of interleaved rounds)')
console.log(
  '| writes | 100 concurrent | one batch | concurrent / batch |\n| --- | ---: | ---: | ---: |',
)
for (const [single, batch] of pairs) {
  const a = p50.get(single) ?? Number.NaN
  const b = p50.get(batch) ?? Number.NaN
  console.log(
    `| ${single.replace(' ×100 concurrent', '')} | ${formatNs(a)} | ${formatNs(b)} | ${(a / b).toFixed(2)}× |`,
  )
}
await Promise.all(stores.map(([, store]) => store.close()))
await Promise.all([redis?.stop(), pgServer?.stop(), memcached?.stop()])

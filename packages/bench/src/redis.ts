/**
 * The Redis store against raw ioredis, in one process and run, on a `redis-server` (and a
 * 3-master Cluster) started by the test harness on loopback:
 *
 * - raw `getBuffer` vs `redisStore().get`, one at a time and 100 concurrent
 * - raw `SET ... PXAT` vs `redisStore().set`
 * - raw `mgetBuffer` of 100 keys vs `redisStore().getMany` (standalone)
 * - Cluster `getMany` of 100 keys: the commands it sends, counted with INFO commandstats
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/redis.js`.
 * Prints mitata's report, then p50 and mean ratios against raw ioredis. Skips when redis-server is missing.
 */
import { redisStore } from '@stack/redis'
import { startRedis, startRedisCluster } from '@stack/test-servers/redis'
import { Cluster, Redis } from 'ioredis'
import { bench, do_not_optimize, group, run } from 'mitata'
import { cursor, formatNs } from './report.js'

const KEYS = 1_000
const BATCH = 100
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)
const value = new Uint8Array(256).fill(7)
const PREFIX = 'bench:'

const server = await startRedis()
const cluster = await startRedisCluster(3)
if (!server || !cluster) {
  console.log('redis-server not found: skipping the Redis benchmark')
  process.exit(0)
}

const raw = new Redis(server.port, '127.0.0.1')
const store = redisStore({ url: server.url, keyPrefix: PREFIX })
const far = () => Date.now() + 3_600_000
await store.setMany(keys.map((key) => ({ key, value, expiresAt: far() })))
const batch = keys.slice(0, BATCH)
const rawBatch = batch.map((key) => PREFIX + key)

group('single get (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('ioredis getBuffer', async () => do_not_optimize(await raw.getBuffer(PREFIX + rawNext())))
  const storeNext = cursor(keys)
  bench('redisStore get', async () => do_not_optimize(await store.get(storeNext())))
})

group('100 concurrent gets', () => {
  bench('ioredis getBuffer ×100', async () =>
    do_not_optimize(await Promise.all(rawBatch.map((key) => raw.getBuffer(key)))),
  )
  bench('redisStore get ×100', async () =>
    do_not_optimize(await Promise.all(batch.map((key) => store.get(key)))),
  )
})

group('single set with expiry', () => {
  const rawNext = cursor(keys)
  bench('ioredis set PXAT', async () =>
    do_not_optimize(await raw.set(PREFIX + rawNext(), Buffer.from(value), 'PXAT', far())),
  )
  const storeNext = cursor(keys)
  bench('redisStore set', async () => do_not_optimize(await store.set(storeNext(), value, far())))
})

group('getMany of 100 keys (standalone)', () => {
  bench('ioredis mgetBuffer', async () => do_not_optimize(await raw.mgetBuffer(rawBatch)))
  bench('redisStore getMany', async () => do_not_optimize(await store.getMany(batch)))
})

const { benchmarks } = await run()
const stats = new Map(benchmarks.map((trial) => [trial.alias, trial.runs[0]?.stats]))
const pairs: [string, string][] = [
  ['redisStore get', 'ioredis getBuffer'],
  ['redisStore get ×100', 'ioredis getBuffer ×100'],
  ['redisStore set', 'ioredis set PXAT'],
  ['redisStore getMany', 'ioredis mgetBuffer'],
]
// p50 rather than the mean: on a shared machine a few scheduling stalls skew the mean.
console.log('\nrelative to raw ioredis, by p50 (lower is faster; target for get: ≤ 1.15×)')
console.log('| benchmark | p50 | raw ioredis p50 | × raw (p50) | × raw (avg) |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const [ours, theirs] of pairs) {
  const a = stats.get(ours)
  const b = stats.get(theirs)
  const p50 = (a?.p50 ?? Number.NaN) / (b?.p50 ?? Number.NaN)
  const avg = (a?.avg ?? Number.NaN) / (b?.avg ?? Number.NaN)
  console.log(
    `| ${ours} | ${formatNs(a?.p50 ?? Number.NaN)} | ${formatNs(b?.p50 ?? Number.NaN)} | ` +
      `${p50.toFixed(2)}× | ${avg.toFixed(2)}× |`,
  )
}

await reportClusterRoundTrips(cluster.nodes)

await Promise.all([store.close(), raw.quit()])
await Promise.all([server.stop(), cluster.stop()])

/** One Cluster getMany of 100 keys: MGETs sent per master against the slots involved. */
async function reportClusterRoundTrips(nodes: readonly { host: string; port: number }[]) {
  const clusterStore = redisStore({ cluster: { nodes }, keyPrefix: PREFIX })
  const admin = new Cluster([...nodes])
  await clusterStore.setMany(batch.map((key) => ({ key, value, expiresAt: far() })))
  const masters = admin.nodes('master')
  await Promise.all(masters.map((node) => node.config('RESETSTAT')))
  await clusterStore.getMany(batch)
  const perMaster = await Promise.all(masters.map((node) => commandCalls(node)))
  const slots = await Promise.all(batch.map((key) => keySlot(admin, PREFIX + key)))
  console.log(
    `\ncluster getMany of ${BATCH} keys over ${new Set(slots).size} slots on ${masters.length} masters: ` +
      `MGET calls per master ${perMaster.map((calls) => calls.mget ?? 0).join(' / ')}, ` +
      `other commands ${perMaster.reduce((sum, calls) => sum + calls.other, 0)} ` +
      '(the MGETs for one master go out as one pipeline: one round trip per master)',
  )
  await clusterStore.close()
  await admin.quit()
}

async function keySlot(admin: Cluster, key: string): Promise<number> {
  return (await admin.nodes('master')[0]?.cluster('KEYSLOT', key)) as number
}

/** INFO commandstats calls of one node, MGET apart from the rest (INFO itself excluded). */
async function commandCalls(node: Redis): Promise<{ mget?: number; other: number }> {
  const info = await node.info('commandstats')
  let mget: number | undefined
  let other = 0
  for (const [, name, calls] of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) {
    if (name === 'mget') mget = Number(calls)
    else if (name !== 'info' && name !== 'config|resetstat') other += Number(calls)
  }
  return mget === undefined ? { other } : { mget, other }
}

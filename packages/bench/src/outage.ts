/**
 * What a Redis outage costs callers, with default settings: memory → Redis, a Redis bus,
 * a real redis-server on loopback that the run stops and starts again. Prints each
 * cache miss's latency (getOrSet of a new key, loader answering at once) and each set's,
 * before and after the circuits open, and the median after they opened.
 *
 * Run: `pnpm build && node packages/bench/dist/outage.js`
 */
import { createCache, memory } from '@stack/core'
import { redisBus, redisStore } from '@stack/redis'
import { startRedis } from '@stack/test-servers/redis'

const redis = await startRedis()
if (redis === undefined) {
  console.log('outage: redis-server is not installed; skipped')
  process.exit(0)
}

const cache = createCache({
  tiers: [memory(), redisStore({ url: redis.url })],
  bus: redisBus({ url: redis.url }),
})
const opened: string[] = []
cache.on('circuit', ({ tier, state }) => {
  if (state === 'open') opened.push(tier)
})

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await run()
  return performance.now() - started
}

let next = 0
const miss = () => timed(() => cache.getOrSet(`miss:${next++}`, () => 'loaded'))
const write = () => timed(() => cache.set(`write:${next++}`, 'value'))

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const format = (values: readonly number[]) => values.map((ms) => ms.toFixed(1)).join(' ')

for (let i = 0; i < 20; i++) await miss() // warm up connections and JIT
const healthy = []
for (let i = 0; i < 20; i++) healthy.push(await miss())

await redis.kill()
const beforeOpen: number[] = []
const afterOpen: number[] = []
const writes: number[] = []
for (let i = 0; i < 40; i++) {
  const wasOpen = opened.length > 0
  const ms = await miss()
  ;(wasOpen ? afterOpen : beforeOpen).push(ms)
  if (i % 4 === 0) writes.push(await write())
}
await redis.restart()

console.log('Redis outage, default settings: memory -> redisStore, redisBus')
console.log(`healthy misses (ms):        ${format(healthy)}`)
console.log(`misses until circuits open: ${format(beforeOpen)}`)
console.log(`misses after they opened:   ${format(afterOpen)}`)
console.log(`sets during the outage:     ${format(writes)}`)
console.log(`circuits opened: ${[...new Set(opened)].join(', ') || 'none'}`)
console.log(
  `median miss: healthy ${median(healthy).toFixed(2)} ms; ` +
    `after the circuits opened ${median(afterOpen).toFixed(2)} ms (target < 50 ms)`,
)
await cache.close().catch(() => undefined)
await redis.stop()

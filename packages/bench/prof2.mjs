import { createCache } from '@stack/core'
import { redisStore } from '@stack/redis'
import { startRedis } from '@stack/test-servers/redis'

const server = await startRedis()
const keys = Array.from({ length: 1000 }, (_, i) => `user:${i}:profile`)
const store = redisStore({ url: server.url, keyPrefix: 'b:' })
const cache = createCache({ tiers: [store], ttl: '1h' })
await cache.setMany(keys.map((key, id) => ({ key, value: { id } })))
const mode = process.argv[2]
let w = 0
for (let r = 0; r < 3; r++) {
  const N = 5000
  const s = process.hrtime.bigint()
  for (let i = 0; i < N; i++) {
    const ks = keys.slice((w++ % 10) * 100, (w % 10) * 100 || 1000)
    if (mode === 'many') await cache.getMany(ks)
    else await Promise.all(ks.map((k) => cache.get(k)))
  }
  console.log(mode, Number(process.hrtime.bigint() - s) / N / 1000, 'µs per 100')
}
await store.close()
await server.stop()

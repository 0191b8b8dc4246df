/**
 * Where the time of 100 concurrent remote reads goes once the network is taken away: a
 * remote-only cache over `memoryStore()` (an in-process store, so every microsecond here
 * is core's own work), next to the store's `getMany` and to the envelope decoding alone,
 * with the default structured (v8) serializer and with JSON.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/remote-overhead.js`.
 */
import {
  createCache,
  EnvelopeCodec,
  jsonSerializer,
  memoryStore,
  type Serializer,
  structuredSerializer,
} from '@stack/core'
import { bench, do_not_optimize, group, run } from 'mitata'
import { formatNs, statistic } from './report.js'

const BATCH = 100
const keys = Array.from({ length: BATCH }, (_, index) => `user:${index}:profile`)

async function setup(serializer: Serializer) {
  const store = memoryStore()
  const cache = createCache({ tiers: [store], ttl: '1h', serializer })
  const uncoalesced = createCache({ tiers: [store], ttl: '1h', serializer, coalesceReads: false })
  await cache.setMany(keys.map((key, id) => ({ key, value: { id } })))
  const bytes = (await store.getMany?.(keys)) as Uint8Array[]
  const codec = new EnvelopeCodec({ serializer, compressThreshold: Number.POSITIVE_INFINITY })
  return { store, cache, uncoalesced, bytes, codec }
}

for (const serializer of [structuredSerializer, jsonSerializer]) {
  const { store, cache, uncoalesced, bytes, codec } = await setup(serializer)
  const s = serializer.name
  group(`${BATCH} keys, ${s} serializer, in-process store`, () => {
    bench(`${s}: memoryStore getMany`, async () => do_not_optimize(await store.getMany?.(keys)))
    bench(`${s}: envelope decode ×${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++)
        do_not_optimize(codec.decode(keys[i] as string, bytes[i] as Uint8Array))
    })
    bench(`${s}: cache.getMany`, async () => do_not_optimize(await cache.getMany(keys)))
    bench(`${s}: cache.get ×${BATCH} concurrent`, async () =>
      do_not_optimize(await Promise.all(keys.map((key) => cache.get(key)))),
    )
    bench(`${s}: cache.get ×${BATCH} concurrent, coalesceReads: false`, async () =>
      do_not_optimize(await Promise.all(keys.map((key) => uncoalesced.get(key)))),
    )
  })
}

const { benchmarks } = await run()
const p50 = statistic(benchmarks, 'p50')
console.log(`\np50 per ${BATCH} keys, and per key`)
console.log('| step | per 100 | per key |\n| --- | ---: | ---: |')
for (const [name, time] of p50) {
  console.log(`| ${name} | ${formatNs(time)} | ${formatNs(time / BATCH)} |`)
}

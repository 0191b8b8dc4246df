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
import { type Case, interleave } from './interleave.js'
import { formatNs } from './report.js'

const BATCH = 100
const keys = Array.from({ length: BATCH }, (_, index) => `user:${index}:profile`)

async function setup(serializer: Serializer) {
  const store = memoryStore()
  const cache = createCache({ tiers: [store], ttl: '1h', serializer })
  const uncoalesced = createCache({ tiers: [store], ttl: '1h', serializer, coalesceReads: false })
  await cache.setMany(keys.map((key, id) => ({ key, value: { id } })))
  const bytes = (await store.getMany?.(keys.map((key) => `#${key}`))) as Uint8Array[]
  const codec = new EnvelopeCodec({ serializer, compressThreshold: Number.POSITIVE_INFINITY })
  return { store, cache, uncoalesced, bytes, codec }
}

const cases: Case[] = []
for (const serializer of [structuredSerializer, jsonSerializer]) {
  const { store, cache, uncoalesced, bytes, codec } = await setup(serializer)
  const s = serializer.name
  cases.push(
    { name: `${s}: memoryStore getMany`, run: async () => store.getMany?.(keys) },
    {
      name: `${s}: envelope decode ×${BATCH}`,
      run: async () => {
        for (let i = 0; i < BATCH; i++) codec.decode(`#${keys[i]}`, bytes[i] as Uint8Array)
      },
    },
    { name: `${s}: cache.getMany`, run: () => cache.getMany(keys) },
    {
      name: `${s}: cache.get ×${BATCH} concurrent`,
      run: () => Promise.all(keys.map((key) => cache.get(key))),
    },
    {
      name: `${s}: cache.get ×${BATCH} concurrent, coalesceReads: false`,
      run: () => Promise.all(keys.map((key) => uncoalesced.get(key))),
    },
  )
}

const timings = await interleave(cases, { warmup: 200, minRounds: 500 })
console.log(`\np50 per ${BATCH} keys, and per key (interleaved rounds)`)
console.log('| step | per 100 | per key |\n| --- | ---: | ---: |')
for (const [name, { p50 }] of timings) {
  console.log(`| ${name} | ${formatNs(p50)} | ${formatNs(p50 / BATCH)} |`)
}

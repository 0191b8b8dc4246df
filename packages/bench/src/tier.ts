/**
 * Hot-path benchmark of the memory tier against lru-cache 11: `get` hits over a
 * 1,000-key working set read uniformly and with Zipf(1.0) skew, hits on entries that
 * carry a TTL, overwrites, and inserts that evict. Keys are read in a seeded random
 * order (a cyclic order is a pathological case for segmented policies: every hit would
 * promote one entry and demote another). Uniform reads are tinylfu's worst case: no
 * key is hit often enough for its sketch count to saturate, so every hit updates the
 * sketch; under skew the hottest keys saturate and their hits skip it.
 *
 * Every benchmark iteration makes 1,000 calls (mitata's per-iteration times are per
 * 1,000 calls; the final table divides them): single calls of a few tens of ns sit at
 * mitata's batching threshold and its timer's resolution, which made medians jump.
 *
 * Each policy runs in its own child process next to its own lru-cache baseline, as in
 * an application, which uses one policy: four policies in one process would make the
 * tier's policy call site polymorphic and measure V8's inlining limits instead.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/tier.js`
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type EvictionPolicyName, type MemoryTier, memory } from '@stack/core'
import { LRUCache } from 'lru-cache'
import { bench, do_not_optimize, group, run, summary } from 'mitata'
import { seededRandom } from './sim/random.js'
import { zipfSampler } from './sim/traces.js'

const WORKING_SET = 1_000
const TTL = 3_600_000
const POLICIES: readonly EvictionPolicyName[] = ['lru', 'lfu', 'fifo', 'tinylfu']
const RESULT_MARKER = 'tier-bench-result:'
/** Calls per benchmark iteration. */
const CALLS = 1_000
const keys = Array.from({ length: WORKING_SET * 10 }, (_, index) => `user:${index}:profile`)
const value = { id: 1, name: 'Ada' }

interface Result {
  readonly name: string
  readonly p50: number
  readonly ratio: number
}

function filledTier(policy: EvictionPolicyName, ttl?: number): MemoryTier<object> {
  const tier = memory<object>({ policy, maxEntries: WORKING_SET, ...(ttl ? { ttl } : {}) })
  for (let index = 0; index < WORKING_SET; index++) tier.set(keys[index] as string, value)
  return tier
}

function filledLruCache(ttl?: number): LRUCache<string, object> {
  const cache = new LRUCache<string, object>({ max: WORKING_SET, ...(ttl ? { ttl } : {}) })
  for (let index = 0; index < WORKING_SET; index++) cache.set(keys[index] as string, value)
  return cache
}

const ORDER_LENGTH = 1 << 16

/** Walks a fixed seeded random sequence of the first `span` keys, uniform or Zipf(1.0). */
function cursor(span: number, skew: 'uniform' | 'zipf' = 'uniform'): () => string {
  const random = seededRandom(span)
  const pick = skew === 'zipf' ? zipfSampler(span, 1.0, random) : () => Math.floor(random() * span)
  const order = Array.from({ length: ORDER_LENGTH }, () => keys[pick()] as string)
  let index = 0
  return () => {
    index = (index + 1) & (ORDER_LENGTH - 1)
    return order[index] as string
  }
}

/**
 * The benchmarks of one policy, each against lru-cache doing the same. Every loop is
 * its own function literal: closures made by one shared helper would share V8's type
 * feedback, turning the call into a megamorphic one that is never inlined.
 */
function defineBenchmarks(policy: EvictionPolicyName): void {
  const pair = (operation: string, title: string, baseline: () => void, tier: () => void) =>
    group(`${operation} (${title})`, () => {
      summary(() => {
        bench(`lru-cache ${operation}`, baseline).baseline(true)
        bench(`memory(${policy}) ${operation}`, tier)
      })
    })

  const lruGet = filledLruCache()
  const tierGet = filledTier(policy)
  const nextGet = cursor(WORKING_SET)
  const nextTierGet = cursor(WORKING_SET)
  pair(
    'get',
    'hit, 1,000-key working set',
    () => {
      let hits = 0
      for (let call = 0; call < CALLS; call++) if (lruGet.get(nextGet()) !== undefined) hits++
      do_not_optimize(hits)
    },
    () => {
      let hits = 0
      for (let call = 0; call < CALLS; call++) if (tierGet.get(nextTierGet()) !== undefined) hits++
      do_not_optimize(hits)
    },
  )

  const lruZipf = filledLruCache()
  const tierZipf = filledTier(policy)
  const nextZipf = cursor(WORKING_SET, 'zipf')
  const nextTierZipf = cursor(WORKING_SET, 'zipf')
  pair(
    'get-zipf',
    'hit, Zipf 1.0 over the 1,000 keys',
    () => {
      let hits = 0
      for (let call = 0; call < CALLS; call++) if (lruZipf.get(nextZipf()) !== undefined) hits++
      do_not_optimize(hits)
    },
    () => {
      let hits = 0
      for (let call = 0; call < CALLS; call++) {
        if (tierZipf.get(nextTierZipf()) !== undefined) hits++
      }
      do_not_optimize(hits)
    },
  )

  const lruTtl = filledLruCache(TTL)
  const tierTtl = filledTier(policy, TTL)
  const nextTtl = cursor(WORKING_SET)
  const nextTierTtl = cursor(WORKING_SET)
  pair(
    'get-ttl',
    'hit, entries with a 1 h TTL',
    () => {
      let hits = 0
      for (let call = 0; call < CALLS; call++) if (lruTtl.get(nextTtl()) !== undefined) hits++
      do_not_optimize(hits)
    },
    () => {
      let hits = 0
      for (let call = 0; call < CALLS; call++) if (tierTtl.get(nextTierTtl()) !== undefined) hits++
      do_not_optimize(hits)
    },
  )

  const lruSet = filledLruCache()
  const tierSet = filledTier(policy)
  const nextSet = cursor(WORKING_SET)
  const nextTierSet = cursor(WORKING_SET)
  pair(
    'set',
    'overwrite, 1,000-key working set',
    () => {
      for (let call = 0; call < CALLS; call++) lruSet.set(nextSet(), value)
    },
    () => {
      for (let call = 0; call < CALLS; call++) tierSet.set(nextTierSet(), value)
    },
  )

  const lruEvict = filledLruCache()
  const tierEvict = filledTier(policy)
  const nextEvict = cursor(keys.length)
  const nextTierEvict = cursor(keys.length)
  pair(
    'set+evict',
    'new keys: 10,000 keys into 1,000 entries',
    () => {
      for (let call = 0; call < CALLS; call++) lruEvict.set(nextEvict(), value)
    },
    () => {
      for (let call = 0; call < CALLS; call++) tierEvict.set(nextTierEvict(), value)
    },
  )
}

/** Child process: benchmarks one policy and reports p50s (robust on a shared machine). */
async function benchmarkPolicy(policy: EvictionPolicyName): Promise<void> {
  defineBenchmarks(policy)
  const { benchmarks } = await run()
  const results: Result[] = []
  let baseline = Number.NaN
  for (const trial of benchmarks) {
    const p50 = (trial.runs[0]?.stats?.p50 ?? Number.NaN) / CALLS
    if (trial.baseline) baseline = p50
    results.push({ name: trial.alias, p50, ratio: p50 / baseline })
  }
  console.log(`${RESULT_MARKER}${JSON.stringify(results)}`)
}

/** Parent process: one child per policy, then one table of p50 ratios. */
function benchmarkAll(): void {
  const table: Result[] = []
  for (const policy of POLICIES) {
    const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), policy], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    })
    for (const line of output.split('\n')) {
      if (line.startsWith(RESULT_MARKER)) {
        table.push(...(JSON.parse(line.slice(RESULT_MARKER.length)) as Result[]))
      } else {
        console.log(line)
      }
    }
  }
  console.log('p50 per call, and relative to lru-cache in the same process (lower is faster):')
  for (const { name, p50, ratio } of table) {
    console.log(`  ${name.padEnd(28)} ${p50.toFixed(1).padStart(7)} ns  ${ratio.toFixed(2)}x`)
  }
}

const requested = process.argv[2] as EvictionPolicyName | undefined
if (requested === undefined) benchmarkAll()
else await benchmarkPolicy(requested)

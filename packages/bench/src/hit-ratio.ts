/**
 * Hit-ratio simulator: replays seeded synthetic traces through every memory-tier policy
 * (the real `MemoryTier`), lru-cache 11, Belady's offline optimum and a static
 * hindsight oracle, at cache sizes of 1% and 10% of the key space, and prints one
 * table of hit ratios.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/hit-ratio.js`
 */
import type { EvictionPolicyName } from '@stack/core'
import { beladyHits } from './sim/belady.js'
import { keyNames, lruCacheHits, memoryTierHits } from './sim/replay.js'
import { staticOracleHits } from './sim/static-oracle.js'
import { scanPollutedTrace, shiftingZipfTrace, type Trace, zipfTrace } from './sim/traces.js'

const KEYS = 100_000
const REQUESTS = 1_000_000
const SEED = 20_240_601
const CACHE_SHARES = [0.01, 0.1] as const
const POLICIES: readonly EvictionPolicyName[] = ['tinylfu', 'lru', 'lfu', 'fifo']
const COLUMNS = ['optimal', 'static', ...POLICIES, 'lru-cache'] as const

interface Row {
  readonly trace: string
  readonly capacity: number
  readonly ratios: Record<(typeof COLUMNS)[number], number>
}

function simulate(trace: Trace): Row[] {
  const names = keyNames(trace)
  const total = trace.requests.length
  return CACHE_SHARES.map((share) => {
    const capacity = Math.round(KEYS * share)
    const ratios = {
      optimal: beladyHits(trace, capacity) / total,
      static: staticOracleHits(trace, capacity) / total,
    } as Row['ratios']
    for (const policy of POLICIES) {
      ratios[policy] = memoryTierHits(trace, names, capacity, policy) / total
    }
    ratios['lru-cache'] = lruCacheHits(trace, names, capacity) / total
    return { trace: trace.name, capacity, ratios }
  })
}

function percent(ratio: number): string {
  return (100 * ratio).toFixed(2)
}

function printTable(rows: readonly Row[]): void {
  const header = ['trace', 'cache', ...COLUMNS]
  const lines = rows.map((row) => [
    row.trace,
    row.capacity.toLocaleString('en-US'),
    ...COLUMNS.map((column) => percent(row.ratios[column])),
  ])
  const widths = header.map((title, index) =>
    Math.max(title.length, ...lines.map((line) => (line[index] as string).length)),
  )
  const format = (cells: readonly string[]) =>
    `| ${cells.map((cell, index) => cell.padStart(widths[index] as number)).join(' | ')} |`
  console.log(format(header))
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
  for (const line of lines) console.log(format(line))
}

function printTargets(rows: readonly Row[]): void {
  for (const row of rows) {
    if (row.trace.startsWith('shift')) continue
    const { optimal, tinylfu, lru } = row.ratios
    const scan = row.trace.startsWith('scan')
    const gap = scan ? (tinylfu - lru) * 100 : (optimal - tinylfu) * 100
    const met = scan ? gap >= 10 : gap <= 5
    const what = scan ? 'tinylfu - lru' : 'optimal - tinylfu'
    const context = scan
      ? `optimal - lru = ${((optimal - lru) * 100).toFixed(2)}`
      : `static - tinylfu = ${((row.ratios.static - tinylfu) * 100).toFixed(2)}`
    console.log(
      `${row.trace}, ${row.capacity}: ${what} = ${gap.toFixed(2)} points (${met ? 'met' : 'MISSED'}); ${context}`,
    )
  }
}

const started = performance.now()
const traces = [
  zipfTrace(KEYS, REQUESTS, 0.8, SEED),
  zipfTrace(KEYS, REQUESTS, 1.0, SEED + 1),
  zipfTrace(KEYS, REQUESTS, 1.2, SEED + 2),
  scanPollutedTrace({
    keys: KEYS,
    length: REQUESTS,
    alpha: 1.0,
    scanLength: 50_000,
    quietLength: 50_000,
    scanShare: 0.5,
    seed: SEED + 3,
  }),
  shiftingZipfTrace(KEYS, REQUESTS, 1.0, 4, SEED + 4),
]
const rows = traces.flatMap(simulate)
console.log(
  `Hit ratio (%), ${KEYS.toLocaleString('en-US')} keys, ${REQUESTS.toLocaleString('en-US')} requests per trace, seed ${SEED}`,
)
printTable(rows)
console.log('optimal: Belady (offline, may bypass); static: the most requested keys in hindsight')
console.log('')
printTargets(rows)
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`)

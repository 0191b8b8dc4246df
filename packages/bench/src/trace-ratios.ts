/**
 * Real-trace hit ratios: replays every published trace in `../shared/traces/` (or
 * `STACK_TRACES_DIR`) at 512, 1,000 and 2,000 entries and at the sizes Caffeine
 * published W-TinyLFU figures for, printing OPT (Belady, may bypass), OPT that must
 * admit, LRU (lru-cache 11), ARC (ours, from the paper), every memory-tier policy
 * through the real `MemoryTier`, and `tinylfu`'s spread over five hash seeds (the same
 * trace under five key spellings, so every key hashes differently).
 *
 * Prints a message and exits 0 when the traces are absent (CI machines do not have them).
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/trace-ratios.js`
 * (`TRACES_SVG=path` to draw the chart; `TRACES=loop,gli` to replay only some traces).
 */
import { writeFileSync } from 'node:fs'
import type { EvictionPolicyName } from '@stack/core'
import { barChartSvg } from './chart.js'
import { arcHits } from './sim/arc.js'
import { beladyHits } from './sim/belady.js'
import { loadTraces, tracesDirectory } from './sim/real-traces.js'
import { lruCacheHits, memoryTierHits } from './sim/replay.js'
import type { Trace } from './sim/traces.js'

const SIZES = [512, 1_000, 2_000]
/** Caffeine's published W-TinyLFU hit rates (trace, size, %), see the traces' README. */
const PUBLISHED: readonly { trace: string; size: number; ratio: number; note: string }[] = [
  { trace: 'loop', size: 512, ratio: 49.94, note: 'fixed 1% window' },
  { trace: 'loop', size: 404, ratio: 39.45, note: 'adaptive' },
  { trace: 'gli', size: 252, ratio: 14.55, note: 'adaptive' },
  { trace: 'cs', size: 563, ratio: 33.42, note: 'adaptive' },
]
const POLICIES: readonly EvictionPolicyName[] = ['tinylfu', 'lru', 'lfu', 'fifo']
const SEEDS = ['', 'a:', 'bb/', 'seed3-', '~4~']

interface Row {
  readonly trace: string
  readonly size: number
  readonly opt: number
  readonly optAdmit: number
  readonly lru: number
  readonly arc: number
  readonly policies: Record<EvictionPolicyName, number>
  readonly seeds: readonly number[]
  readonly published?: number
}

function percent(hits: number, trace: Trace): number {
  return (100 * hits) / trace.requests.length
}

function replay(trace: Trace, size: number): Row {
  const names = Array.from({ length: trace.idSpace }, (_, id) => `key:${id}`)
  const policies = {} as Record<EvictionPolicyName, number>
  for (const policy of POLICIES) {
    policies[policy] = percent(memoryTierHits(trace, names, size, policy), trace)
  }
  const seeds = SEEDS.map((salt) =>
    salt === ''
      ? policies.tinylfu
      : percent(
          memoryTierHits(
            trace,
            names.map((name) => salt + name),
            size,
            'tinylfu',
          ),
          trace,
        ),
  )
  const published = PUBLISHED.find((p) => p.trace === trace.name && p.size === size)?.ratio
  return {
    trace: trace.name,
    size,
    opt: percent(beladyHits(trace, size), trace),
    optAdmit: percent(beladyHits(trace, size, true), trace),
    lru: percent(lruCacheHits(trace, names, size), trace),
    arc: percent(arcHits(trace, size), trace),
    policies,
    seeds,
    ...(published === undefined ? {} : { published }),
  }
}

function printRows(rows: readonly Row[]): void {
  const header = [
    'trace @ size',
    'OPT',
    'OPT admit',
    'LRU',
    'ARC',
    ...POLICIES,
    'tinylfu seeds min-max',
    'published',
    'vs LRU',
    'vs ARC',
  ]
  console.log(`| ${header.join(' | ')} |`)
  console.log(
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
  )
  for (const row of rows) {
    const tiny = row.policies.tinylfu
    const cells = [
      `${row.trace} @ ${row.size}`,
      row.opt,
      row.optAdmit,
      row.lru,
      row.arc,
      ...POLICIES.map((policy) => row.policies[policy]),
    ].map((cell) => (typeof cell === 'number' ? cell.toFixed(2) : cell))
    cells.push(`${Math.min(...row.seeds).toFixed(2)}-${Math.max(...row.seeds).toFixed(2)}`)
    cells.push(row.published === undefined ? '—' : row.published.toFixed(2))
    cells.push((tiny - row.lru).toFixed(2), (tiny - row.arc).toFixed(2))
    console.log(`| ${cells.join(' | ')} |`)
  }
}

function printTargets(rows: readonly Row[]): void {
  const misses: string[] = []
  for (const row of rows) {
    const worst = Math.min(...row.seeds)
    const at = `${row.trace} @ ${row.size}`
    if (worst < row.lru - 1)
      misses.push(`${at}: tinylfu (worst seed) ${worst.toFixed(2)} < LRU - 1`)
    if (worst < row.arc - 2)
      misses.push(`${at}: tinylfu (worst seed) ${worst.toFixed(2)} < ARC - 2`)
    if (row.published !== undefined && Math.abs(row.policies.tinylfu - row.published) > 1) {
      misses.push(`${at}: tinylfu ${row.policies.tinylfu.toFixed(2)} vs published ${row.published}`)
    }
  }
  console.log(
    misses.length === 0
      ? '\ntargets: all met (tinylfu >= LRU - 1 and >= ARC - 2 on every seed; within 1 of published)'
      : `\ntargets missed:\n${misses.join('\n')}`,
  )
}

function drawChart(rows: readonly Row[], path: string): void {
  const shown = rows.filter((row) => row.size === 1_000 || row.published !== undefined)
  const svg = barChartSvg({
    title: 'Hit ratio on published traces (higher is better)',
    unit: '%',
    series: ['OPT', 'ARC', 'LRU', 'tinylfu', 'lfu'],
    groups: shown.map((row) => ({
      label: `${row.trace} @ ${row.size}`,
      values: [row.opt, row.arc, row.lru, row.policies.tinylfu, row.policies.lfu],
    })),
  })
  writeFileSync(path, svg)
  console.log(`chart written to ${path}`)
}

const directory = tracesDirectory()
if (directory === undefined) {
  console.log(
    'trace-ratios: no traces directory (set STACK_TRACES_DIR to the published traces); skipped',
  )
} else {
  const started = performance.now()
  const only = process.env.TRACES?.split(',')
  const traces = loadTraces(directory).filter((trace) => only?.includes(trace.name) ?? true)
  const rows: Row[] = []
  for (const trace of traces) {
    const sizes = [...SIZES, ...PUBLISHED.filter((p) => p.trace === trace.name).map((p) => p.size)]
    for (const size of [...new Set(sizes)].sort((a, b) => a - b)) rows.push(replay(trace, size))
  }
  console.log(`Hit ratio (%) on the traces in ${directory}, cold start, get then set on a miss`)
  printRows(rows)
  printTargets(rows)
  const svgPath = process.env.TRACES_SVG
  if (svgPath !== undefined) drawChart(rows, svgPath)
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

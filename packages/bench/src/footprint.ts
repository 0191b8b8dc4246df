/**
 * Footprint benchmark: heap bytes per cached entry for `Map` (the floor), lru-cache 11
 * (with `ttl`), cache-manager 7, bentocache 1.x (memory L1) and every memory-tier
 * policy, both through `createCache` (what an application holds) and as a bare
 * `memory()` tier, at 10k, 200k and 1M entries.
 *
 * Each (library, size) pair runs in its own `node --expose-gc` process: the keys (short
 * strings) and values (small objects) are allocated first, then the heap (JS heap plus
 * typed-array backing stores) is measured after full GCs before and after filling the
 * cache with a one-hour TTL. Bytes per entry = the difference / entries.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/footprint.js`
 * (`FOOTPRINT_SIZES=10000,200000` to choose sizes; `FOOTPRINT_SVG=path` to draw the chart).
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { barChartSvg } from './chart.js'
import { FOOTPRINT_SUBJECTS, fillSubject } from './footprint-subjects.js'

const DEFAULT_SIZES = [10_000, 200_000, 1_000_000]
const RESULT_MARKER = 'footprint-result:'

interface Measurement {
  readonly subject: string
  readonly entries: number
  readonly bytesPerEntry: number
}

function heapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run the footprint child with --expose-gc')
  for (let round = 0; round < 4; round++) gc()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/** Child process: measures one subject at one size. */
async function measureOne(subject: string, entries: number): Promise<void> {
  const keys = Array.from({ length: entries }, (_, index) => `user:${index}:profile`)
  const values = Array.from({ length: entries }, (_, index) => ({ id: index, name: 'Ada' }))
  const before = heapBytes()
  const holder = await fillSubject(subject, keys, values)
  const after = heapBytes()
  // Keep the cache reachable until after the measurement.
  if (holder === undefined) throw new Error(`${subject} built nothing`)
  const result: Measurement = { subject, entries, bytesPerEntry: (after - before) / entries }
  console.log(`${RESULT_MARKER}${JSON.stringify(result)}`)
}

function measureAll(): void {
  const sizes = (process.env.FOOTPRINT_SIZES?.split(',').map(Number) ?? DEFAULT_SIZES).filter(
    (size) => Number.isInteger(size) && size > 0,
  )
  const results: Measurement[] = []
  for (const subject of FOOTPRINT_SUBJECTS) {
    for (const entries of sizes) {
      const output = execFileSync(
        process.execPath,
        ['--expose-gc', fileURLToPath(import.meta.url), subject, String(entries)],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      )
      const line = output.split('\n').find((text) => text.startsWith(RESULT_MARKER))
      if (line === undefined) throw new Error(`no result from ${subject} @ ${entries}:\n${output}`)
      results.push(JSON.parse(line.slice(RESULT_MARKER.length)) as Measurement)
    }
  }
  const lruCache = new Map(
    results.filter((r) => r.subject === 'lru-cache').map((r) => [r.entries, r.bytesPerEntry]),
  )
  console.log(`heap bytes per entry (Node ${process.versions.node}), one process per cell`)
  console.log(
    `| subject | ${sizes.map((size) => `${size.toLocaleString('en-US')} entries`).join(' | ')} |`,
  )
  console.log(`| --- | ${sizes.map(() => '---:').join(' | ')} |`)
  for (const subject of FOOTPRINT_SUBJECTS) {
    const cells = sizes.map((size) => {
      const found = results.find((r) => r.subject === subject && r.entries === size)
      if (found === undefined) return '—'
      const ratio = found.bytesPerEntry / (lruCache.get(size) ?? Number.NaN)
      return `${found.bytesPerEntry.toFixed(0)} (${ratio.toFixed(2)}×)`
    })
    console.log(`| ${subject} | ${cells.join(' | ')} |`)
  }
  console.log('(×: ratio to lru-cache at the same size)')
  const svgPath = process.env.FOOTPRINT_SVG
  if (svgPath !== undefined) {
    const largest = sizes.filter((size) => size >= 200_000)
    const svg = barChartSvg({
      title: 'Heap bytes per entry (lower is better)',
      unit: 'B',
      groups: FOOTPRINT_SUBJECTS.map((subject) => ({
        label: subject,
        values: largest.map(
          (size) =>
            results.find((r) => r.subject === subject && r.entries === size)?.bytesPerEntry ?? 0,
        ),
      })),
      series: largest.map((size) => `${size.toLocaleString('en-US')} entries`),
      reference: { label: '2× lru-cache', value: 2 * (lruCache.get(largest[0] ?? 0) ?? 0) },
    })
    writeFileSync(svgPath, svg)
    console.log(`chart written to ${svgPath}`)
  }
}

const [subject, entries] = process.argv.slice(2)
if (subject !== undefined && entries !== undefined) await measureOne(subject, Number(entries))
else measureAll()

/**
 * The file store against bentocache's file driver (what a bentocache user gets for
 * zero-infrastructure persistence), in one process and run, plus plain `fs.readFile` /
 * `fs.writeFile` of one file as the floor any one-file-per-key store pays:
 *
 * - get of a live entry, one at a time and 100 concurrent
 * - set of a 256-byte value with an expiry
 *
 * bentocache's driver writes in place (no temporary file and rename) and keeps values as
 * JSON strings; ours writes atomically, checksums and hashes keys. Neither fsyncs here.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/file.js`.
 * Prints mitata's report, then ratios against bentocache.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileStore } from '@stack/file'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { FileDriver } from 'bentocache/drivers/file'
import { bench, do_not_optimize, group, run } from 'mitata'
import { cursor, formatNs, statistic } from './report.js'

const KEYS = 1_000
const BATCH = 100
const keys = Array.from({ length: KEYS }, (_, index) => `user-${index}-profile`)
const value = new Uint8Array(256).fill(7)
const text = 'x'.repeat(256)
const HOUR = 3_600_000

const root = tempDir('bench-file')
const store = fileStore({ directory: join(root, 'stack') })
const bento = new FileDriver({ directory: join(root, 'bento'), pruneInterval: false })
const rawDirectory = join(root, 'raw')
await mkdir(rawDirectory)

for (const key of keys) {
  await store.set(key, value, Date.now() + HOUR)
  await bento.set(key, text, HOUR)
  await writeFile(join(rawDirectory, key), value)
}

const batch = keys.slice(0, BATCH)

group('get (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('fs.readFile (floor)', async () =>
    do_not_optimize(await readFile(join(rawDirectory, rawNext()))),
  )
  const bentoNext = cursor(keys)
  bench('bentocache file get', async () => do_not_optimize(await bento.get(bentoNext())))
  const storeNext = cursor(keys)
  bench('fileStore get', async () => do_not_optimize(await store.get(storeNext())))
})

group('100 concurrent gets', () => {
  bench('bentocache file get ×100', async () =>
    do_not_optimize(await Promise.all(batch.map((key) => bento.get(key)))),
  )
  bench('fileStore get ×100', async () =>
    do_not_optimize(await Promise.all(batch.map((key) => store.get(key)))),
  )
})

group('set with expiry (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('fs.writeFile (floor)', async () =>
    do_not_optimize(await writeFile(join(rawDirectory, rawNext()), value)),
  )
  const bentoNext = cursor(keys)
  bench('bentocache file set', async () =>
    do_not_optimize(await bento.set(bentoNext(), text, HOUR)),
  )
  const storeNext = cursor(keys)
  bench('fileStore set', async () =>
    do_not_optimize(await store.set(storeNext(), value, Date.now() + HOUR)),
  )
})

const { benchmarks } = await run()
const averages = statistic(benchmarks)
const rows: [string, string, string][] = [
  ['fileStore get', 'bentocache file get', 'fs.readFile (floor)'],
  ['fileStore get ×100', 'bentocache file get ×100', ''],
  ['fileStore set', 'bentocache file set', 'fs.writeFile (floor)'],
]
console.log('\nratio to bentocache (lower is faster)')
console.log(
  '| benchmark | avg | bentocache | × bentocache | × floor |\n| --- | ---: | ---: | ---: | ---: |',
)
for (const [ours, theirs, floor] of rows) {
  const a = averages.get(ours) ?? Number.NaN
  const b = averages.get(theirs) ?? Number.NaN
  const f = averages.get(floor) ?? Number.NaN
  const overFloor = Number.isNaN(f) ? '' : `${(a / f).toFixed(2)}×`
  console.log(
    `| ${ours} | ${formatNs(a)} | ${formatNs(b)} | ${(a / b).toFixed(2)}× | ${overFloor} |`,
  )
}

await store.close()
await bento.disconnect()
removeDir(root)

/**
 * What write deduplication saves: 100 rewrites of one unchanged 1 MiB value through a
 * remote-only @stack cache (`cache.set` each time, as a scheduled refresh does), with
 * `dedupeWrites` off and on, per store: S3 (s3rver), Cloud Storage (the firebase
 * emulator), Redis, and the file store (without and with fsync), each on loopback or a
 * local disk, in one run: off and on alternate for three rounds, and the median time is
 * reported, with the value bytes each store sent (its own `stats().writtenBytes`, bodies
 * for object stores) and its writes. The object stores run with their default
 * `conditionalWrites: true`, as against AWS or Cloud Storage (the emulators ignore the
 * conditions; only `set` runs here, so nothing relies on them).
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/dedup.js`.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createCache, nullStore, type RemoteStore } from '@stack/core'
import { fileStore } from '@stack/file'
import { gcsStore } from '@stack/gcs'
import { redisStore } from '@stack/redis'
import { s3Store } from '@stack/s3'
import { startGcsServer } from '@stack/test-servers/gcs'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { startRedis } from '@stack/test-servers/redis'
import { startS3Server } from '@stack/test-servers/s3'

const REWRITES = 100
const ROUNDS = 3
const BUCKET = 'bench-dedup'
/** 1 MiB of random base64 text: a value JSON carries as it is and deflate cannot shrink much. */
const value = { report: randomBytes(786_432).toString('base64') }

const s3 = await startS3Server({ buckets: [BUCKET] })
const gcs = await startGcsServer()
const redis = await startRedis()
const directory = tempDir('bench-dedup')

type StoreFactory = (dedupeWrites: boolean, run: string) => RemoteStore
const factories: [string, StoreFactory][] = [
  [
    'S3 (s3rver)',
    (dedupeWrites, run) =>
      s3Store({
        bucket: BUCKET,
        prefix: `${run}/`,
        dedupeWrites,
        clientOptions: {
          endpoint: s3.endpoint,
          region: s3.region,
          forcePathStyle: true,
          credentials: s3.credentials,
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        },
      }),
  ],
  [
    'GCS (emulator)',
    (dedupeWrites, run) =>
      gcsStore({
        bucket: BUCKET,
        prefix: `${run}/`,
        dedupeWrites,
        storageOptions: { apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId },
      }),
  ],
  ['file', (dedupeWrites, run) => fileStore({ directory: join(directory, run), dedupeWrites })],
  [
    'file (fsync)',
    (dedupeWrites, run) =>
      fileStore({ directory: join(directory, run), dedupeWrites, fsync: true }),
  ],
]
if (redis) {
  factories.push([
    'Redis',
    (dedupeWrites, run) => redisStore({ url: redis.url, keyPrefix: `${run}:`, dedupeWrites }),
  ])
}

interface Row {
  readonly ms: number
  readonly writtenBytes: number
  readonly writes: number
  readonly dedupedWrites: number
}

/** The round with the median time. */
function median(rows: readonly Row[]): Row {
  return [...rows].sort((a, b) => a.ms - b.ms)[Math.floor(rows.length / 2)] as Row
}

async function rewrite(store: RemoteStore): Promise<Row> {
  const cache = createCache({ tiers: [store], ttl: '1h' })
  await cache.set('report', value) // the first write is a full one either way
  const start = performance.now()
  for (let i = 0; i < REWRITES; i++) await cache.set('report', value)
  const ms = performance.now() - start
  const stats = store.stats?.() ?? {}
  await store.clear('')
  await cache.close()
  return {
    ms,
    writtenBytes: stats.writtenBytes ?? Number.NaN,
    writes: stats.writes ?? Number.NaN,
    dedupedWrites: stats.dedupedWrites ?? Number.NaN,
  }
}

const mib = (bytes: number) => (Number.isNaN(bytes) ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MiB`)
console.log(
  `${REWRITES} rewrites of an unchanged 1 MiB value through cache.set (after one first write), median of ${ROUNDS} rounds\n`,
)
console.log(
  '| store | dedupeWrites | time of 100 sets | per set | value bytes sent | full writes | header-only |',
)
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
let run = 0
try {
  for (const [name, create] of factories) {
    const rounds: Row[][] = [[], []]
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, dedupeWrites] of [false, true].entries()) {
        rounds[index]?.push(await rewrite(create(dedupeWrites, `run-${run++}`)))
      }
    }
    const rows = rounds.map(median)
    for (const [index, row] of rows.entries()) {
      const dedupeWrites = index === 1
      console.log(
        `| ${name} | ${dedupeWrites ? 'on' : 'off'} | ${row.ms.toFixed(0)} ms | ${(row.ms / REWRITES).toFixed(2)} ms | ${mib(row.writtenBytes)} | ${row.writes} | ${row.dedupedWrites} |`,
      )
    }
    const [off, on] = rows as [Row, Row]
    console.log(`|   | ratio off/on |  ${(off.ms / on.ms).toFixed(1)}× | | | | |`)
  }
  // Last, once the code is warm: what any set of this value costs before a store is involved.
  const floor = await rewrite(nullStore())
  console.log(
    `| nullStore (the cache's own cost of encoding the value) | - | ${floor.ms.toFixed(0)} ms | ${(floor.ms / REWRITES).toFixed(2)} ms | 0 | - | - |`,
  )
} finally {
  await s3.stop()
  await gcs.stop()
  await redis?.stop()
  removeDir(directory)
}

/**
 * The SQLite store against `@keyv/sqlite` (Keyv's SQLite adapter, on the native `sqlite3`
 * addon) and against raw `node:sqlite` prepared statements on the same schema (the floor
 * any node:sqlite store pays), in one process and run, on database files in WAL mode:
 *
 * - get of a live entry, one at a time
 * - set of a 256-byte value with an expiry
 * - getMany of 100 keys
 *
 * `sqlite3` needs its native build; pnpm skips install scripts unless allowed
 * (`onlyBuiltDependencies`). When the addon is missing the Keyv rows are skipped with a note.
 *
 * Run: `pnpm --filter @stack/bench build && node packages/bench/dist/sqlite.js`.
 * Prints mitata's report, then ratios.
 */
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { sqliteStore } from '@stack/sqlite'
import { removeDir, tempDir } from '@stack/test-servers/process'
import type Keyv from 'keyv'
import { bench, do_not_optimize, group, run } from 'mitata'
import { cursor, formatNs, statistic } from './report.js'

const KEYS = 1_000
const BATCH = 100
const keys = Array.from({ length: KEYS }, (_, index) => `user:${index}:profile`)
const value = new Uint8Array(256).fill(7)
const text = 'x'.repeat(256)
const HOUR = 3_600_000

const root = tempDir('bench-sqlite')
const store = sqliteStore({ path: join(root, 'stack.db') })
await store.setMany(keys.map((key) => ({ key, value, expiresAt: Date.now() + HOUR })))

const raw = rawStatements(join(root, 'raw.db'))
for (const key of keys) raw.set.run(key, value, Date.now() + HOUR)

const keyv = await openKeyv(join(root, 'keyv.db'))
if (keyv) for (const key of keys) await keyv.set(key, text, HOUR)
else console.log('@keyv/sqlite could not load (sqlite3 native addon not built): skipping its rows')

const batch = keys.slice(0, BATCH)

group('get (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('node:sqlite raw get', () => {
    const row = raw.get.get(rawNext()) as { value: Uint8Array; expires_at: number } | undefined
    return do_not_optimize(row && row.expires_at > Date.now() ? row.value : undefined)
  })
  if (keyv) {
    const keyvNext = cursor(keys)
    bench('keyv sqlite get', async () => do_not_optimize(await keyv.get(keyvNext())))
  }
  const storeNext = cursor(keys)
  bench('sqliteStore get', async () => do_not_optimize(await store.get(storeNext())))
})

group('set with expiry (one at a time)', () => {
  const rawNext = cursor(keys)
  bench('node:sqlite raw set', () =>
    do_not_optimize(raw.set.run(rawNext(), value, Date.now() + HOUR)),
  )
  if (keyv) {
    const keyvNext = cursor(keys)
    bench('keyv sqlite set', async () => do_not_optimize(await keyv.set(keyvNext(), text, HOUR)))
  }
  const storeNext = cursor(keys)
  bench('sqliteStore set', async () =>
    do_not_optimize(await store.set(storeNext(), value, Date.now() + HOUR)),
  )
})

group(`getMany of ${BATCH} keys`, () => {
  bench('node:sqlite raw get ×100 in a transaction', () => {
    raw.begin.run()
    const rows = batch.map((key) => raw.get.get(key))
    raw.commit.run()
    return do_not_optimize(rows)
  })
  if (keyv) {
    bench('keyv sqlite getMany', async () => do_not_optimize(await keyv.getMany(batch)))
  }
  bench('sqliteStore getMany', async () => do_not_optimize(await store.getMany(batch)))
})

const { benchmarks } = await run()
const averages = statistic(benchmarks)
const rows: [string, string, string][] = [
  ['sqliteStore get', 'keyv sqlite get', 'node:sqlite raw get'],
  ['sqliteStore set', 'keyv sqlite set', 'node:sqlite raw set'],
  ['sqliteStore getMany', 'keyv sqlite getMany', 'node:sqlite raw get ×100 in a transaction'],
]
console.log('\nratios (lower is faster)')
console.log('| benchmark | avg | keyv | × keyv | raw node:sqlite | × raw |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
for (const [ours, keyvName, rawName] of rows) {
  const a = averages.get(ours) ?? Number.NaN
  const k = averages.get(keyvName) ?? Number.NaN
  const r = averages.get(rawName) ?? Number.NaN
  console.log(
    `| ${ours} | ${formatNs(a)} | ${formatNs(k)} | ${(a / k).toFixed(2)}× | ${formatNs(r)} | ${(a / r).toFixed(2)}× |`,
  )
}

await store.close()
await keyv?.disconnect()
raw.db.close()
removeDir(root)

/**
 * The table, expiry index and statements of sqliteStore, keyed by TEXT (what one would
 * write by hand) instead of UTF-16LE BLOBs, without the store's checks and promises.
 */
function rawStatements(path: string) {
  const db = new DatabaseSync(path)
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  db.exec(
    'CREATE TABLE cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at REAL NOT NULL) STRICT',
  )
  db.exec('CREATE INDEX cache_expires_at ON cache (expires_at)')
  return {
    db,
    get: db.prepare('SELECT value, expires_at FROM cache WHERE key = ?'),
    set: db.prepare(
      `INSERT INTO cache (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
  }
}

/** Keyv on @keyv/sqlite in WAL mode, or `undefined` when the sqlite3 addon is missing. */
async function openKeyv(path: string): Promise<Keyv | undefined> {
  try {
    const [{ default: KeyvClass }, { default: KeyvSqlite }] = await Promise.all([
      import('keyv'),
      import('@keyv/sqlite'),
    ])
    const adapter = new KeyvSqlite({ uri: `sqlite://${path}` })
    await adapter.query('PRAGMA journal_mode = WAL')
    await adapter.query('PRAGMA synchronous = NORMAL')
    return new KeyvClass({ store: adapter })
  } catch (error) {
    console.log(`@keyv/sqlite: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  }
}

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { StoreUnavailableError } from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, describe, expect, test } from 'vitest'
import { sqliteStore } from '../src/index.js'

const directory = tempDir('sqlite-store')
afterAll(() => removeDir(directory))
let run = 0
const freshPath = (): string => join(directory, `${run++}.db`)
const one = new Uint8Array([1])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function listKeys(store: { keys(prefix: string): AsyncIterable<string> }, prefix = '') {
  const keys: string[] = []
  for await (const key of store.keys(prefix)) keys.push(key)
  return keys
}

function countRows(path: string, table = 'stack_cache'): number {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe('schema and connection', () => {
  test('a file database is in WAL mode with the table and its expiry index', async () => {
    const path = freshPath()
    const store = sqliteStore({ path })
    await store.set('k', one, Infinity)
    const db = new DatabaseSync(path)
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all()
    expect(indexes.map((row) => row.name)).toContain('stack_cache_expires_at')
    db.close()
    await store.close()
  })

  test('two tables in one database are independent', async () => {
    const path = freshPath()
    const a = sqliteStore({ path, table: 'cache_a' })
    const b = sqliteStore({ path, table: 'cache_b' })
    await a.set('k', one, Infinity)
    expect(await b.get('k')).toBeUndefined()
    await b.clear('')
    expect(await a.get('k')).toEqual(one)
    await Promise.all([a.close(), b.close()])
  })

  test('a database that cannot open rejects with StoreUnavailableError, and the next call retries', async () => {
    const parent = join(directory, 'later')
    const store = sqliteStore({ path: join(parent, 'cache.db') })
    await expect(store.get('k')).rejects.toSatisfy(StoreUnavailableError.isInstance)
    mkdirSync(parent)
    await store.set('k', one, Infinity)
    expect(await store.get('k')).toEqual(one)
    await store.close()
  })

  test('a write blocked by another connection fails after busyTimeout with StoreUnavailableError', async () => {
    const path = freshPath()
    const store = sqliteStore({ path, busyTimeout: 50 })
    await store.set('k', one, Infinity)
    const other = new DatabaseSync(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      await expect(store.set('k', one, Infinity)).rejects.toSatisfy(
        StoreUnavailableError.isInstance,
      )
      await expect(
        store.setMany([{ key: 'k', value: one, expiresAt: Infinity }]),
      ).rejects.toSatisfy(StoreUnavailableError.isInstance)
      expect(await store.get('k'), 'reads go on under WAL').toEqual(one)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    await store.set('k', new Uint8Array([2]), Infinity)
    expect(await store.get('k')).toEqual(new Uint8Array([2]))
    await store.close()
  })
})

describe('keys and prefixes', () => {
  test('keys() pages through more rows than one page holds', async () => {
    const store = sqliteStore({ path: ':memory:' })
    const entries = Array.from({ length: 1234 }, (_, index) => ({
      key: `p:${index}`,
      value: one,
      expiresAt: Number.POSITIVE_INFINITY,
    }))
    await store.setMany(entries)
    await store.set('q:other', one, Infinity)
    const keys = await listKeys(store, 'p:')
    expect(keys).toHaveLength(1234)
    expect(new Set(keys)).toEqual(new Set(entries.map((entry) => entry.key)))
    await store.close()
  })

  test('prefixes at the top of the code unit range and lone surrogates stay exact', async () => {
    const store = sqliteStore({ path: ':memory:' })
    const keys = ['\uFFFF', '\uFFFF\uFFFF', '\uFFFFa', '\uD800', '\uFFFD', '\uD83D\uDE00', 'a']
    for (const key of keys) await store.set(key, new TextEncoder().encode(key), Infinity)
    expect((await listKeys(store, '\uFFFF')).sort()).toEqual(
      ['\uFFFF', '\uFFFF\uFFFF', '\uFFFFa'].sort(),
    )
    expect(await listKeys(store, '\uD800')).toEqual(['\uD800'])
    expect(await listKeys(store, '\uD83D')).toEqual(['\uD83D\uDE00'])
    await store.clear('\uFFFF')
    expect((await listKeys(store)).sort()).toEqual(['\uD800', '\uD83D\uDE00', '\uFFFD', 'a'].sort())
    expect(await store.get('\uD800')).toEqual(new TextEncoder().encode('\uD800'))
    await store.close()
  })
})

describe('expiry', () => {
  test('reads never write: an expired row stays until purged or overwritten', async () => {
    const path = freshPath()
    const store = sqliteStore({ path })
    await store.get('warm-up') // opens the database
    await store.set('k', one, Date.now() + 100)
    await sleep(150)
    expect(await store.get('k')).toBeUndefined()
    expect(countRows(path)).toBe(1)
    expect(await store.purgeExpired()).toBe(1)
    expect(countRows(path)).toBe(0)
    await store.close()
  })

  test('reads go on while another process holds the write lock', async () => {
    const path = freshPath()
    const store = sqliteStore({ path, busyTimeout: 5000 })
    await store.set('live', one, Infinity)
    await store.set('expired', one, Date.now() + 50)
    await sleep(80)
    const other = new DatabaseSync(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      expect(await store.getMany(['live', 'expired'])).toEqual([one, undefined])
      expect(await store.get('expired')).toBeUndefined()
      expect(await listKeys(store)).toEqual(['live'])
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    await store.close()
  })

  test('purgeExpired removes expired rows in batches and counts them', async () => {
    const path = freshPath()
    const store = sqliteStore({ path })
    await store.get('warm-up') // opens the database
    const soon = Date.now() + 200
    await store.setMany(
      Array.from({ length: 1200 }, (_, index) => ({
        key: `e${index}`,
        value: one,
        expiresAt: soon,
      })),
    )
    await store.set('live', one, Infinity)
    await sleep(soon + 20 - Date.now())
    expect(await store.purgeExpired()).toBe(1200)
    expect(countRows(path)).toBe(1)
    await store.close()
    await expect(store.purgeExpired()).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  test('purgeInterval purges in the background', async () => {
    const path = freshPath()
    const store = sqliteStore({ path, purgeInterval: 20 })
    await store.set('k', one, Date.now() + 10)
    await expect.poll(() => countRows(path), { timeout: 2000 }).toBe(0)
    await store.close()
  })

  test('add with an expiry already past stores nothing and resolves whether the key was free', async () => {
    const store = sqliteStore({ path: ':memory:' })
    expect(await store.add('k', one, Date.now() - 1)).toBe(true)
    expect(await store.get('k')).toBeUndefined()
    expect(await store.add('k', one, Infinity)).toBe(true)
    expect(await store.add('k', one, Date.now() - 1)).toBe(false)
    await store.close()
  })
})

describe('options', () => {
  test('bad options throw InvalidOptionError naming the option', () => {
    const bad: [string, object][] = [
      ['path', { path: '' }],
      ['table', { path: ':memory:', table: 'drop table x; --' }],
      ['table', { path: ':memory:', table: '"quoted"' }],
      ['table', { path: ':memory:', table: 'sqlite_master' }],
      ['table', { path: ':memory:', table: 'x'.repeat(64) }],
      ['busyTimeout', { path: ':memory:', busyTimeout: -1 }],
      ['purgeInterval', { path: ':memory:', purgeInterval: '0ms' }],
    ]
    for (const [option, options] of bad) {
      expect(() => sqliteStore(options as never), option).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option }),
      )
    }
  })

  test('a relative path is resolved when the store is created', async () => {
    const store = sqliteStore({ path: 'relative.db', busyTimeout: '2s' })
    expect(store.path).toBe(join(process.cwd(), 'relative.db'))
    await store.close()
  })

  test('bad keys and arguments reject with coded errors', async () => {
    const store = sqliteStore({ path: ':memory:' })
    await expect(store.get('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(store.getMany(['a', ''])).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
    await expect(store.set('k', 'text' as never, Infinity)).rejects.toMatchObject({
      option: 'value',
    })
    await expect(store.set('k', one, Number.NaN)).rejects.toMatchObject({ option: 'expiresAt' })
    await expect(store.clear(undefined as never)).rejects.toMatchObject({ option: 'prefix' })
    await store.close()
  })
})

describe('conditional writes on a table of an earlier version', () => {
  test('the columns are added in place, rows kept; purges keep live tombstones', async () => {
    const path = freshPath()
    const db = new DatabaseSync(path)
    db.exec(`CREATE TABLE "stack_cache" (
      key BLOB NOT NULL PRIMARY KEY, value BLOB NOT NULL, expires_at REAL NOT NULL) STRICT`)
    db.prepare('INSERT INTO "stack_cache" VALUES (?, ?, ?)').run(
      Buffer.from('k', 'utf16le'),
      one,
      Number.POSITIVE_INFINITY,
    )
    db.close()

    const store = sqliteStore({ path })
    expect(await store.get('k')).toEqual(one) // opening migrates; the row is still there
    expect(await store.setIfNewer('k', new Uint8Array([2]), Number.POSITIVE_INFINITY, 5)).toBe(true)
    expect(await store.setIfNewer('k', one, Number.POSITIVE_INFINITY, 4)).toBe(false)
    const now = Date.now()
    await store.deleteIfNewer('k', 6, now + 60_000)
    await store.deleteIfNewer('gone', 6, now + 1)
    await sleep(5)
    await store.purgeExpired()
    expect(countRows(path)).toBe(1) // the live tombstone
    expect(await store.setIfNewer('k', one, Number.POSITIVE_INFINITY, 5)).toBe(false)
    await store.close()
  })
})

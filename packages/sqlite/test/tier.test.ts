import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import {
  type CacheEntry,
  DecodeError,
  InvalidOptionError,
  InvalidValueError,
  jsonSerializer,
  SerializationError,
  StoreUnavailableError,
  ValueTooLargeError,
} from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, describe, expect, test } from 'vitest'
import { entry } from '../../core/test/memory/local-tier-contract.js'
import { type SqliteTierOptions, sqliteTier } from '../src/index.js'
import { encodeKey } from '../src/keys.js'

const directory = tempDir('sqlite-tier')
afterAll(() => removeDir(directory))
let files = 0
const freshPath = (): string => join(directory, `${files++}.db`)

function thrown(call: () => unknown): unknown {
  try {
    call()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

/** Writes `bytes` as the stored row of `key`, behind the tier's back. */
function writeRow(path: string, key: string, bytes: Uint8Array, table = 'stack_tier'): void {
  const db = new DatabaseSync(path)
  try {
    db.prepare(
      `INSERT INTO ${table} (key, value, expires_at, last_used) VALUES (?, ?, ?, 0)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(encodeKey(key), bytes, Number.POSITIVE_INFINITY)
  } finally {
    db.close()
  }
}

function readRow(path: string, key: string): Uint8Array {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    const row = db.prepare('SELECT value FROM stack_tier WHERE key = ?').get(encodeKey(key))
    return row?.value as Uint8Array
  } finally {
    db.close()
  }
}

describe('persistence', () => {
  test('entries survive close and reopen whole: value, tags, createdAt, freshUntil, staleUntil, loadTime', () => {
    const path = freshPath()
    const deleted: string[] = []
    const first = sqliteTier({ path, onEvict: (key) => deleted.push(key) })
    const tagged: CacheEntry = {
      value: { when: new Date(0), ids: new Set([1, 2]), big: 10n },
      createdAt: 1_000,
      freshUntil: 2_000,
      staleUntil: 9e15,
      tags: ['user:1', 'ünïcode'],
      loadTime: 12.5,
    }
    first.set('tagged', tagged, 9e15)
    first.set('plain', entry('v'))
    first.close()
    expect(deleted, 'close drops nothing and reports nothing').toEqual([])

    const second = sqliteTier({ path })
    expect(second.get('tagged')).toEqual(tagged)
    expect(second.get('plain')).toEqual(entry('v'))
    expect(second.size).toBe(2)
    second.close()
  })

  test('expiry is absolute: an entry that expired while no process ran is dead on reopen', () => {
    const path = freshPath()
    let now = 1_000_000
    const first = sqliteTier({ path, clock: () => now })
    first.set('short', entry(1), now + 100)
    first.set('long', entry(2), now + 10_000)
    first.close()
    now += 100
    const second = sqliteTier({ path, clock: () => now })
    expect(second.get('short')).toBeUndefined()
    expect(second.get('long')?.value).toBe(2)
    second.close()
  })

  test('LRU order survives a reopen, reads included', () => {
    const path = freshPath()
    const first = sqliteTier({ path, maxEntries: 3 })
    for (const key of ['a', 'b', 'c']) first.set(key, entry(key))
    first.get('a') // recorded by close: no write followed it
    first.close()
    const second = sqliteTier({ path, maxEntries: 3 })
    second.set('d', entry('d'))
    expect([...second.keys()]).toEqual(['a', 'c', 'd'])
    second.close()
  })

  test('a file database runs in WAL mode with its indexes and row counter', () => {
    const path = freshPath()
    const tier = sqliteTier({ path })
    tier.set('k', entry(1))
    const db = new DatabaseSync(path, { readOnly: true })
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
      .all()
    expect(names.map((row) => row.name)).toEqual(
      expect.arrayContaining([
        'stack_tier_expires_at',
        'stack_tier_last_used',
        'stack_tier_count_insert',
      ]),
    )
    expect(db.prepare('SELECT rows FROM stack_tier_count').get()).toEqual({ rows: 1 })
    db.close()
    tier.close()
  })

  test("':memory:' works and keeps nothing", () => {
    const tier = sqliteTier({ path: ':memory:' })
    tier.set('k', entry(1))
    expect(tier.get('k')?.value).toBe(1)
    tier.close()
  })
})

describe('corrupt rows are misses plus counted errors, never a crash', () => {
  test('garbage, a flipped bit, and bytes written for another key', () => {
    const path = freshPath()
    const errors: Error[] = []
    const tier = sqliteTier({ path, onError: (error) => errors.push(error) })
    tier.set('a', entry({ secret: 'a' }))
    tier.set('b', entry({ secret: 'b' }))
    const valid = readRow(path, 'a')
    const flipped = Uint8Array.from(valid)
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
    writeRow(path, 'garbage', new Uint8Array([1, 2, 3]))
    writeRow(path, 'flipped', flipped)
    writeRow(path, 'b', valid) // a's envelope under b: must not serve a's value

    for (const key of ['garbage', 'flipped', 'b']) {
      expect(tier.get(key)).toBeUndefined()
      expect(tier.peek(key)).toBeUndefined()
      expect(tier.has(key)).toBe(false)
    }
    expect(tier.get('a')?.value).toEqual({ secret: 'a' })
    expect(tier.stats()).toMatchObject({ hits: 1, misses: 3, errors: 9 })
    expect(errors.every((error) => DecodeError.isInstance(error))).toBe(true)
    expect(errors.map((error) => (error as DecodeError).key)).toContain('b')

    tier.set('b', entry({ secret: 'b2' })) // an overwrite repairs the key
    expect(tier.get('b')?.value).toEqual({ secret: 'b2' })
    tier.close()
  })

  test('a corrupt row evicted, deleted or cleared is removed without a listener call', () => {
    const path = freshPath()
    const reported: string[] = []
    const tier = sqliteTier({ path, maxEntries: 2, onEvict: (key) => reported.push(key) })
    tier.set('bad', entry(0))
    writeRow(path, 'bad', new Uint8Array([0xce, 2, 0, 0]))
    tier.set('x', entry(1))
    tier.set('y', entry(2)) // evicts 'bad', the least recently used
    expect(tier.size).toBe(2)
    expect(reported).toEqual([])
    expect(tier.stats()).toMatchObject({ evictions: 1, errors: 1 })
    tier.close()
  })

  test('a throwing onError hook does not turn a miss into a throw', () => {
    const path = freshPath()
    const tier = sqliteTier({
      path,
      onError: () => {
        throw new Error('hook failed')
      },
    })
    tier.set('k', entry(1))
    writeRow(path, 'k', new Uint8Array([9]))
    expect(tier.get('k')).toBeUndefined()
    tier.close()
  })
})

describe('two handles on one file', () => {
  test('see each other’s writes, deletes and clears at once', () => {
    const path = freshPath()
    const a = sqliteTier({ path })
    const b = sqliteTier({ path })
    a.set('k', entry('from a'))
    expect(b.get('k')?.value).toBe('from a')
    b.set('k', entry('from b'))
    expect(a.get('k')?.value).toBe('from b')
    expect(b.delete('k')).toBe(true)
    expect(a.get('k')).toBeUndefined()
    expect(a.delete('k')).toBe(false)
    a.set('p:1', entry(1))
    a.set('q:1', entry(1))
    b.clear('p:')
    expect([...a.keys()]).toEqual(['q:1'])
    expect(a.size).toBe(1)
    expect(b.size).toBe(1)
    a.close()
    b.close()
  })

  test('maxEntries bounds the shared table; each handle reports only what it removed', () => {
    const path = freshPath()
    const reportedA: string[] = []
    const reportedB: string[] = []
    const a = sqliteTier({ path, maxEntries: 3, onEvict: (key) => reportedA.push(key) })
    const b = sqliteTier({ path, maxEntries: 3, onEvict: (key) => reportedB.push(key) })
    a.set('a1', entry(1))
    b.set('b1', entry(1))
    a.set('a2', entry(1))
    b.set('b2', entry(1)) // evicts a1, the oldest write of either handle
    expect([...a.keys()]).toEqual(['a2', 'b1', 'b2'])
    expect(reportedA).toEqual([])
    expect(reportedB).toEqual(['a1'])
    // b's reads count once b writes: b1 then outlives a2
    b.get('b1')
    b.set('b3', entry(1))
    expect([...a.keys()]).toEqual(['b1', 'b2', 'b3'])
    a.close()
    b.close()
  })

  test('a write blocked by another connection fails after busyTimeout; reads go on', () => {
    const path = freshPath()
    const tier = sqliteTier({ path, busyTimeout: 50 })
    tier.set('k', entry(1))
    const other = new DatabaseSync(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      const error = thrown(() => tier.set('k', entry(2)))
      expect(StoreUnavailableError.isInstance(error)).toBe(true)
      expect(tier.get('k')?.value, 'reads never wait under WAL').toBe(1)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    tier.set('k', entry(3))
    expect(tier.get('k')?.value).toBe(3)
    tier.close()
  })
})

describe('values the tier cannot store', () => {
  test('a value the serializer refuses throws SerializationError and leaves the old entry', () => {
    const tier = sqliteTier({ path: freshPath(), serializer: jsonSerializer })
    tier.set('k', entry('old'))
    const error = thrown(() =>
      tier.set(
        'k',
        entry(() => 1),
      ),
    )
    expect(SerializationError.isInstance(error)).toBe(true)
    expect((error as SerializationError).key).toBe('k')
    expect(tier.get('k')?.value).toBe('old')
    tier.close()
  })

  test('a value over maxValueBytes throws ValueTooLargeError after dropping the old entry', () => {
    const reported: [string, unknown, string][] = []
    const tier = sqliteTier({
      path: freshPath(),
      maxValueBytes: 64,
      onEvict: (key, value, reason) => reported.push([key, value.value, reason]),
    })
    tier.set('k', entry('old'))
    const error = thrown(() => tier.set('k', entry('x'.repeat(100))))
    expect(ValueTooLargeError.isInstance(error)).toBe(true)
    expect(tier.get('k')).toBeUndefined()
    expect(reported).toEqual([['k', 'old', 'replaced']])
    tier.close()
  })

  test('a value that is not a cache entry throws InvalidValueError', () => {
    const tier = sqliteTier({ path: freshPath() })
    const bad: unknown[] = [
      'plain',
      null,
      { value: 1 },
      { ...entry(1), createdAt: Number.NaN },
      { ...entry(1), freshUntil: 0 }, // before createdAt
      { ...entry(1), tags: 'a' },
    ]
    for (const value of bad) {
      expect(InvalidValueError.isInstance(thrown(() => tier.set('k', value as CacheEntry)))).toBe(
        true,
      )
    }
    expect(tier.size).toBe(0)
    tier.close()
  })

  test('tags an envelope cannot carry are refused naming tags', () => {
    const tier = sqliteTier({ path: freshPath() })
    const error = thrown(() => tier.set('k', entry(1, 0, [''])))
    expect((error as InvalidOptionError).option).toBe('tags')
    tier.close()
  })
})

describe('database failures', () => {
  test('a database that cannot open: reads miss (counted), writes throw, and the next call retries', () => {
    const parent = join(directory, 'later')
    const errors: Error[] = []
    const tier = sqliteTier({
      path: join(parent, 'tier.db'),
      onError: (error) => errors.push(error),
    })
    expect(tier.get('k')).toBeUndefined()
    expect(tier.stats()).toMatchObject({ misses: 1, errors: 1, entries: 0 })
    expect(StoreUnavailableError.isInstance(errors[0])).toBe(true)
    expect(StoreUnavailableError.isInstance(thrown(() => tier.set('k', entry(1))))).toBe(true)
    mkdirSync(parent)
    tier.set('k', entry(1))
    expect(tier.get('k')?.value).toBe(1)
    tier.close()
  })
})

describe('options', () => {
  const invalid: [unknown, string][] = [
    [undefined, 'options'],
    [null, 'options'],
    [{}, 'path'],
    [{ path: '' }, 'path'],
    [{ path: ':memory:', table: 'bad-name' }, 'table'],
    [{ path: ':memory:', table: 'sqlite_x' }, 'table'],
    [{ path: ':memory:', name: '' }, 'name'],
    [{ path: ':memory:', maxEntries: 0 }, 'maxEntries'],
    [{ path: ':memory:', maxEntries: 1.5 }, 'maxEntries'],
    [{ path: ':memory:', ttl: 0 }, 'ttl'],
    [{ path: ':memory:', ttl: 'soon' }, 'ttl'],
    [{ path: ':memory:', maxTtl: -1 }, 'maxTtl'],
    [{ path: ':memory:', serializer: {} }, 'serializer'],
    [{ path: ':memory:', compressThreshold: -1 }, 'compressThreshold'],
    [{ path: ':memory:', maxValueBytes: 0 }, 'maxValueBytes'],
    [{ path: ':memory:', busyTimeout: 'x' }, 'busyTimeout'],
    [{ path: ':memory:', onEvict: 1 }, 'onEvict'],
    [{ path: ':memory:', onError: 1 }, 'onError'],
    [{ path: ':memory:', clock: 'now' }, 'clock'],
    [{ path: ':memory:', policy: 'lru' }, 'policy'],
    [{ path: ':memory:', purgeInterval: '1m' }, 'purgeInterval'],
  ]

  test.each(invalid)('%j is rejected naming %s', (options, option) => {
    const error = thrown(() => sqliteTier(options as SqliteTierOptions))
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionError).option).toBe(option)
  })

  test('a relative path resolves once, when the tier is created', () => {
    const tier = sqliteTier({ path: 'relative.db' })
    expect(tier.path).toBe(join(process.cwd(), 'relative.db'))
    tier.close()
  })
})

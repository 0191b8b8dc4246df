import { randomBytes } from 'node:crypto'
import { InvalidOptionError, StoreUnavailableError } from '@stack/core'
import postgres from 'postgres'
import { afterAll, describe, expect, inject, test } from 'vitest'
import { pgStore } from '../src/index.js'

const url = inject('postgresUrl')
const bytes = (text: string) => new TextEncoder().encode(text)

describe.skipIf(url === '')('pgStore', () => {
  const sql = postgres(url, { onnotice: () => undefined, max: 4 })
  afterAll(() => sql.end())

  test('rejects table names that are not plain identifiers, naming the option', () => {
    for (const table of ['a;drop table x', '1abc', 'a.b.c', 'x'.repeat(64), '', 'a b', 'a"b']) {
      expect(() => pgStore({ client: sql, table })).toThrowError(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'table' }),
      )
    }
    expect(() => pgStore({ client: sql, timeout: -1 })).toThrowError(InvalidOptionError)
    expect(() => pgStore({ client: sql, tabel: 'x' } as never)).toThrowError(
      /unknown option "tabel" for pgStore\(\)/,
    )
  })

  test('works in a schema and with a case-sensitive name; uses an existing client without ending it', async () => {
    await sql`CREATE SCHEMA IF NOT EXISTS cache_schema`
    const store = pgStore({ client: sql, table: 'cache_schema.MixedCase', purgeInterval: false })
    await store.set('k', bytes('v'), Number.POSITIVE_INFINITY)
    const [row] = await sql`SELECT count(*)::int AS n FROM cache_schema."MixedCase"`
    expect(row?.n).toBe(1)
    await store.close()
    expect((await sql`SELECT 1 AS one`)[0]?.one).toBe(1)
  })

  test('conditional writes migrate a table of the previous schema in place: rows kept, columns added once', async () => {
    const table = `old_${randomBytes(4).toString('hex')}`
    await sql`CREATE TABLE ${sql(table)} (
      key_hash bytea PRIMARY KEY, key text COLLATE "C" NOT NULL, value bytea NOT NULL, expires_at bigint)`
    const legacy = pgStore({ client: sql, table, purgeInterval: false, conditionalWrites: false })
    expect(legacy.capabilities.conditionalWrite).toBe(false)
    expect(legacy.setIfNewer).toBeUndefined()
    await legacy.set('k', bytes('from before'), Number.POSITIVE_INFINITY)
    const columns = () => sql`
      SELECT column_name FROM information_schema.columns
      WHERE table_name = ${table} AND column_name IN ('version', 'tombstone_until')`
    expect(await columns()).toHaveLength(0)

    const stores = [0, 1, 2].map(() => pgStore({ client: sql, table, purgeInterval: false }))
    const read = await Promise.all(stores.map((store) => store.get('k')))
    expect(read.map((value) => Buffer.from(value ?? []).toString())).toEqual([
      'from before',
      'from before',
      'from before',
    ])
    expect(await columns()).toHaveLength(2)
    const [store] = stores as [ReturnType<typeof pgStore>]
    expect(await store.setIfNewer!('k', bytes('versioned'), Number.POSITIVE_INFINITY, 1)).toBe(true)
    expect(await store.setIfNewer!('k', bytes('older'), Number.POSITIVE_INFINITY, 0)).toBe(false)
    // A plain write drops the version: what it wrote is replaced by any conditional write.
    await store.set('k', bytes('plain'), Number.POSITIVE_INFINITY)
    expect(await store.setIfNewer!('k', bytes('older'), Number.POSITIVE_INFINITY, 0)).toBe(true)
    await Promise.all([legacy.close(), ...stores.map((each) => each.close())])
    await sql`DROP TABLE ${sql(table)}`
  })

  test('a purge keeps live tombstones and removes expired ones', async () => {
    const table = `tomb_${randomBytes(4).toString('hex')}`
    const store = pgStore({ client: sql, table, purgeInterval: false })
    const now = Date.now()
    await store.deleteIfNewer!('live', 2, now + 60_000)
    await store.deleteIfNewer!('gone', 2, now - 1)
    await store.purgeExpired()
    const rows = await sql`SELECT key FROM ${sql(table)} ORDER BY key`
    expect(rows.map((row) => row.key)).toEqual(['live'])
    expect(await store.setIfNewer!('live', bytes('old'), now + 60_000, 1)).toBe(false)
    await store.close()
    await sql`DROP TABLE ${sql(table)}`
  })

  test('many processes creating the same table at once all succeed', async () => {
    const clients = Array.from({ length: 6 }, () =>
      postgres(url, { onnotice: () => undefined, max: 1 }),
    )
    const stores = clients.map((client) =>
      pgStore({ client, table: 'raced', purgeInterval: false }),
    )
    await Promise.all(
      stores.map((store, i) => store.set(`k${i}`, bytes('v'), Number.POSITIVE_INFINITY)),
    )
    const [row] = await sql`SELECT count(*)::int AS n FROM raced`
    expect(row?.n).toBe(6)
    await Promise.all(clients.map((client) => client.end()))
  })

  test('an incompressible 40 kB key fits (the primary key is its hash)', async () => {
    const store = pgStore({ client: sql, table: 'long_keys', purgeInterval: false })
    const key = randomBytes(30_000).toString('base64')
    await store.set(key, bytes('long'), Number.POSITIVE_INFINITY)
    expect(await store.get(key)).toEqual(Buffer.from('long'))
    const listed: string[] = []
    for await (const listedKey of store.keys(key.slice(0, 100)))
      listedKey === key && listed.push(listedKey)
    expect(listed).toEqual([key])
    await store.close()
  })

  test('add over an expired row: exactly one of many concurrent callers wins', async () => {
    const store = pgStore({ client: sql, table: 'adds', purgeInterval: false })
    await store.set('lock', bytes('old'), Date.now() + 30)
    await new Promise((resolve) => setTimeout(resolve, 60))
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.add('lock', bytes(`caller ${i}`), Date.now() + 60_000),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await store.get('lock')).toEqual(Buffer.from(`caller ${results.indexOf(true)}`))
    await store.close()
  })

  test('purgeExpired deletes expired rows; the purge timer does it in the background', async () => {
    const manual = pgStore({ client: sql, table: 'purged', purgeInterval: false })
    await manual.set('gone', bytes('v'), Date.now() + 20)
    await manual.set('kept', bytes('v'), Date.now() + 60_000)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(await manual.purgeExpired()).toBe(1)
    await manual.close()

    const timed = pgStore({ client: sql, table: 'purged_timer', purgeInterval: 50 })
    await timed.setMany([
      { key: 'a', value: bytes('v'), expiresAt: Date.now() + 20 },
      { key: 'b', value: bytes('v'), expiresAt: Date.now() + 20 },
    ])
    const deadline = Date.now() + 5_000
    let rows = 2
    while (rows > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      rows = (await sql`SELECT count(*)::int AS n FROM purged_timer`)[0]?.n
    }
    expect(rows).toBe(0)
    await timed.close()
  })

  test('a dropped table is recreated on the next call; createTable: false never creates it', async () => {
    const store = pgStore({ client: sql, table: 'dropped', purgeInterval: false })
    await store.set('k', bytes('v'), Number.POSITIVE_INFINITY)
    await sql`DROP TABLE dropped`
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError)
    expect(await store.get('k')).toBeUndefined()
    await store.close()

    const manual = pgStore({ client: sql, table: 'never_created', createTable: false })
    await expect(manual.get('k')).rejects.toThrowError(/42P01/)
    await manual.close()
  })
})

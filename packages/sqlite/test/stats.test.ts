import { join } from 'node:path'
import { createCache, memory } from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, describe, expect, test } from 'vitest'
import { sqliteStore } from '../src/index.js'

const directory = tempDir('sqlite-stats')
afterAll(() => removeDir(directory))
let run = 0
const freshPath = (): string => join(directory, `${run++}.db`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const later = () => Date.now() + 3_600_000

describe('stats()', () => {
  test('rows and bytes of the table, counted now; rows removed by purges', async () => {
    const path = freshPath()
    const store = sqliteStore({ path })
    expect(store.stats()).toEqual({ rows: 0, bytes: 0, purges: 0 })
    await store.set('a', new Uint8Array(100), later())
    await store.set('b', new Uint8Array(50), Date.now() + 20)
    const stats = store.stats()
    expect(stats.rows).toBe(2)
    // Keys are stored as UTF-16LE blobs: 'a' and 'b' are two bytes each.
    expect(stats.bytes).toBe(100 + 2 + 50 + 2)
    await sleep(40)
    expect(store.stats().rows).toBe(2) // an expired row stays until purged
    expect(await store.purgeExpired()).toBe(1)
    expect(store.stats()).toEqual({ rows: 1, bytes: 102, purges: 1 })
    // Another instance on the same file counts the same rows.
    const other = sqliteStore({ path })
    expect(other.stats()).toEqual({ rows: 1, bytes: 102, purges: 0 })
    await other.close()
    await store.close()
    expect(store.stats()).toEqual({ purges: 1 })
  })

  test('cache.stats() shows the sqlite tier counters', async () => {
    const cache = createCache({ tiers: [memory(), sqliteStore({ path: freshPath() })] })
    await cache.set('k', 'value', { ttl: '1h' })
    expect(cache.stats().tiers[1]?.store).toMatchObject({ rows: 1, purges: 0 })
    await cache.close()
  })
})

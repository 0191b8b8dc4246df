import { join } from 'node:path'
import { createCache, memory } from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, describe, expect, test } from 'vitest'
import { fileStore } from '../src/index.js'

const root = tempDir('file-stats')
afterAll(() => removeDir(root))
let run = 0
const freshDirectory = (): string => join(root, String(run++))
const bytes = (size: number): Uint8Array => new Uint8Array(size).fill(7)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const later = () => Date.now() + 3_600_000

describe('stats()', () => {
  test('counts writes and expired entries removed, by reads and by purges', async () => {
    const store = fileStore({ directory: freshDirectory() })
    expect(store.stats()).toEqual({
      writes: 0,
      dedupedWrites: 0,
      writtenBytes: 0,
      purges: 0,
      evictions: 0,
    })
    await store.set('a', bytes(10), later())
    await store.set('a', bytes(20), later())
    expect(await store.add('a', bytes(1), later())).toBe(false) // lost: not a write
    expect(await store.add('b', bytes(1), Date.now() + 30)).toBe(true)
    await store.set('c', bytes(1), Date.now() + 30)
    await sleep(50)
    expect(await store.get('b')).toBeUndefined() // removed by the read
    expect(await store.purgeExpired()).toBe(1) // c
    // Each record: 28-byte header + 2-byte key + the value (10, 20, 1 and 1 bytes).
    expect(store.stats()).toEqual({
      writes: 4,
      dedupedWrites: 0,
      writtenBytes: 4 * 30 + 32,
      purges: 2,
      evictions: 0,
    })
    await store.close()
  })

  test('a bounded store also reports its files and bytes, from the ledger, and evictions', async () => {
    const directory = freshDirectory()
    const store = fileStore({ directory, maxEntries: 2 })
    await store.set('a', bytes(100), later())
    await store.set('b', bytes(100), later())
    await store.set('c', bytes(100), later())
    const stats = store.stats()
    expect(stats).toMatchObject({ writes: 3, evictions: 1, files: 2 })
    // 28-byte header + UTF-16 key (2 bytes) + 100-byte value, per file.
    expect(stats.bytes).toBe(2 * 130)
    // Another process's files show after a purge walk.
    const other = fileStore({ directory, maxEntries: 10 })
    await other.purgeExpired()
    expect(other.stats()).toMatchObject({ files: 2, bytes: 260, writes: 0 })
    await store.close()
    await other.close()
  })

  test('cache.stats() shows the file tier counters', async () => {
    const store = fileStore({ directory: freshDirectory(), maxBytes: 1_000_000 })
    const cache = createCache({ tiers: [memory(), store] })
    await cache.set('k', 'value', { ttl: '1h' })
    const tiers = cache.stats().tiers
    expect(tiers[0]?.store).toBeUndefined()
    expect(tiers[1]?.store).toMatchObject({ writes: 1, purges: 0, files: 1 })
    await cache.close()
  })
})

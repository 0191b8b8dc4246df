import { join } from 'node:path'
import { createCache, memory } from '@stack/core'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { afterAll, expect, test } from 'vitest'
import { sqliteStore } from '../src/index.js'

const directory = tempDir('sqlite-chain')
const path = join(directory, 'cache.db')
afterAll(() => removeDir(directory))

test('works as the persistent tier of a createCache chain, across a restart', async () => {
  const cache = createCache({ tiers: [memory(), sqliteStore({ path })], ttl: '5m' })
  let loads = 0
  const load = async () => {
    loads++
    return { rows: Array.from({ length: 100 }, (_, index) => ({ index, label: `row ${index}` })) }
  }
  const first = await cache.getOrSet('report:q4', load)
  expect(await cache.getOrSet('report:q4', load)).toEqual(first)
  await cache.close()

  // A fresh cache (empty memory tier, new store) reads the entry back from the database file.
  const restarted = createCache({ tiers: [memory(), sqliteStore({ path })], ttl: '5m' })
  expect(await restarted.getOrSet('report:q4', load)).toEqual(first)
  expect(loads).toBe(1)
  await restarted.clear()
  await restarted.close()
})

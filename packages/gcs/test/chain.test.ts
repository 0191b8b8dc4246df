import { createCache, memory } from '@stack/core'
import { expect, test } from 'vitest'
import { testStore } from './server.js'

test('works as the remote tier of a createCache chain', async () => {
  const cache = createCache({ tiers: [memory(), testStore({ prefix: 'chain/' })], ttl: '5m' })
  let loads = 0
  const load = async () => {
    loads++
    return { rows: Array.from({ length: 100 }, (_, index) => ({ index, label: `row ${index}` })) }
  }
  const first = await cache.getOrSet('report:q4', load)
  expect(await cache.getOrSet('report:q4', load)).toEqual(first)
  await cache.close()

  // A fresh cache (empty memory tier) reads the entry back from Cloud Storage.
  const restarted = createCache({ tiers: [memory(), testStore({ prefix: 'chain/' })], ttl: '5m' })
  expect(await restarted.getOrSet('report:q4', load)).toEqual(first)
  expect(loads).toBe(1)
  await restarted.clear()
  await restarted.close()
})

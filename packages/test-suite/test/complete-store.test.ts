import { completeStore, memoryStore, UnsupportedError } from '@stack/core'
import { describe, expect, test } from 'vitest'
import { mapStore } from './support/map-store.js'

// The suite runs every case through completeStore; these pin what the cases cannot see.
describe('completeStore', () => {
  test('returns a store that implements every optional method as it is', () => {
    const store = memoryStore()
    expect(completeStore(store)).toBe(store)
  })

  test('keeps the name, contract version and capabilities of a store it completes', () => {
    const store = mapStore({ minimal: true })
    const completed = completeStore(store)
    expect(completed).not.toBe(store)
    expect([completed.name, completed.contractVersion]).toEqual([store.name, store.contractVersion])
    expect(completed.capabilities).toBe(store.capabilities)
  })

  test('its fallback keys() rejects with UnsupportedError naming the store', async () => {
    const keys = completeStore(mapStore({ minimal: true })).keys('')
    const error = await keys[Symbol.asyncIterator]()
      .next()
      .then(
        () => undefined,
        (rejection: unknown) => rejection,
      )
    expect(UnsupportedError.isInstance(error)).toBe(true)
    expect(String(error)).toMatch(/"map"/)
  })
})

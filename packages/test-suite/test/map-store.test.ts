import { afterAll, beforeAll, describe, test } from 'vitest'
import { runStoreConformance } from '../src/index.js'
import { type MapBackend, type MapStoreOptions, mapStore } from './support/map-store.js'

// A correct reference store in its three shapes: the suite must pass on each. The stores of
// one factory share their entries, as stores on one server do.
const runner = { describe, test, beforeAll, afterAll }

function sharedMapStores(options: MapStoreOptions = {}) {
  const backend: MapBackend = new Map()
  return () => mapStore({ ...options, backend })
}

runStoreConformance({ name: 'map store', runner, createStore: sharedMapStores() })

runStoreConformance({
  name: 'map store without optional methods',
  runner,
  createStore: sharedMapStores({ minimal: true }),
})

runStoreConformance({
  name: 'map store with second expiry and size limits',
  runner,
  createStore: sharedMapStores({ ttlGranularity: 's', maxKeyBytes: 250, maxValueBytes: 64 * 1024 }),
})

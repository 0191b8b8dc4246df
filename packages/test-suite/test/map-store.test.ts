import { afterAll, beforeAll, describe, test } from 'vitest'
import { runStoreConformance } from '../src/index.js'
import { mapStore } from './support/map-store.js'

// A correct reference store in its three shapes: the suite must pass on each.
const runner = { describe, test, beforeAll, afterAll }

runStoreConformance({ name: 'map store', runner, createStore: () => mapStore() })

runStoreConformance({
  name: 'map store without optional methods',
  runner,
  createStore: () => mapStore({ minimal: true }),
})

runStoreConformance({
  name: 'map store with second expiry and size limits',
  runner,
  createStore: () => mapStore({ ttlGranularity: 's', maxKeyBytes: 250, maxValueBytes: 64 * 1024 }),
})

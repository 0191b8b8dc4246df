import { afterAll, beforeAll, describe, test } from 'vitest'
import { type ConformanceOptions, manualClock, runStoreConformance } from '../src/index.js'
import { type MapBackend, type MapStoreOptions, mapStore } from './support/map-store.js'

// A correct reference store in several shapes: the suite must pass on each. The stores of
// one factory share their entries, as stores on one server do.
const runner = { describe, test, beforeAll, afterAll }

/** Options for map stores on one backend, with `clearAll` and `createStoreWith` wired. */
function mapStores(name: string, options: MapStoreOptions = {}): ConformanceOptions {
  const backend: MapBackend = new Map()
  const create = (extra: Record<string, unknown> = {}) =>
    mapStore({ namespace: 'main/', ...options, backend, ...extra })
  return {
    name,
    runner,
    createStore: () => create(),
    createStoreWith: create,
    clearAll: {
      createStore: () => create({ namespace: 'cleared/' }),
      createNeighbour: () => create({ namespace: 'neighbour/' }),
    },
  }
}

runStoreConformance(mapStores('map store'))

runStoreConformance(mapStores('map store without optional methods', { minimal: true }))

runStoreConformance(mapStores('map store with conditional writes', { conditional: true }))

const conditionalClock = manualClock()
runStoreConformance({
  ...mapStores('map store with conditional writes on a manual clock', {
    conditional: true,
    now: conditionalClock.now,
  }),
  clock: conditionalClock,
})

runStoreConformance(
  mapStores('map store with second expiry and size limits', {
    ttlGranularity: 's',
    maxKeyBytes: 250,
    maxValueBytes: 64 * 1024,
  }),
)

// A store that resolves Buffers conforms: the contract allows any Uint8Array.
runStoreConformance(mapStores('map store resolving Buffers', { faults: { returnsBuffers: true } }))

// With a manual clock the expiry cases check the exact millisecond and take no time.
const clock = manualClock()
runStoreConformance({ ...mapStores('map store on a manual clock', { now: clock.now }), clock })

const secondsClock = manualClock()
runStoreConformance({
  ...mapStores('map store with second expiry on a manual clock', {
    now: secondsClock.now,
    ttlGranularity: 's',
  }),
  clock: secondsClock,
})

import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { testStore } from './server.js'

// The emulator ignores `ifGenerationMatch`, so the store runs with `conditionalWrites:
// false`: it then declares `capabilities.add: false` itself and the suite skips the
// concurrent-add case, while still checking add's sequential semantics.
runStoreConformance({
  name: 'gcs (storage emulator)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => testStore({ prefix: 'conformance/' }),
  createStoreWith: (extra) => testStore({ prefix: 'conformance/', ...extra }),
  clearAll: {
    createStore: () => testStore({ prefix: 'conformance-clear-all/' }),
    createNeighbour: () => testStore({ prefix: 'conformance-neighbour/' }),
  },
})

// The same with gzip on every value, so compressed bodies go through the whole suite.
runStoreConformance({
  name: 'gcs (storage emulator, gzip)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () =>
    testStore({ prefix: 'conformance-gzip/', compression: 'gzip', compressionThreshold: 0 }),
})

// With write deduplication: envelopes are split into metadata and body, and rewrites of an
// unchanged payload only touch metadata; every case must still hold.
runStoreConformance({
  name: 'gcs (dedupeWrites)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => testStore({ prefix: 'conformance-dedup/', dedupeWrites: true }),
})

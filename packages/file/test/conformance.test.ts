import { removeDir, tempDir } from '@stack/test-servers/process'
import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { fileStore } from '../src/index.js'

const directory = tempDir('file-conformance')
afterAll(() => {
  for (const end of ['', '-bounded', '-clear-all', '-neighbour', '-dedup', '-dedup-clear-all']) {
    removeDir(directory + end)
  }
})

runStoreConformance({
  name: 'file',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => fileStore({ directory }),
  createStoreWith: (extra) => fileStore({ directory, ...extra }),
  clearAll: {
    createStore: () => fileStore({ directory: `${directory}-clear-all` }),
    createNeighbour: () => fileStore({ directory: `${directory}-neighbour` }),
  },
})

runStoreConformance({
  name: 'file (bounded, fsync)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () =>
    fileStore({ directory: `${directory}-bounded`, maxBytes: 64 * 1024 * 1024, fsync: true }),
})

// Envelopes as linked records plus payload files: every case must still hold.
runStoreConformance({
  name: 'file (dedupeWrites)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => fileStore({ directory: `${directory}-dedup`, dedupeWrites: true }),
  clearAll: {
    createStore: () => fileStore({ directory: `${directory}-dedup-clear-all`, dedupeWrites: true }),
  },
})

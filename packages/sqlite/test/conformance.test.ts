import { join } from 'node:path'
import { removeDir, tempDir } from '@stack/test-servers/process'
import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { sqliteStore } from '../src/index.js'

const directory = tempDir('sqlite-conformance')
afterAll(() => removeDir(directory))

runStoreConformance({
  name: 'sqlite file',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => sqliteStore({ path: join(directory, 'cache.db') }),
  createStoreWith: (extra) => sqliteStore({ path: join(directory, 'cache.db'), ...extra }),
  clearAll: {
    createStore: () => sqliteStore({ path: join(directory, 'cache.db'), table: 'clear_all' }),
    createNeighbour: () => sqliteStore({ path: join(directory, 'cache.db'), table: 'neighbour' }),
  },
})

runStoreConformance({
  name: 'sqlite :memory:',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => sqliteStore({ path: ':memory:', table: 'other_table' }),
  // Each ':memory:' store opens its own private database: two of them share nothing.
  capabilities: { sharedBackend: false },
  // A private database: clear('') may empty it, and there is no neighbour to spare.
  clearAll: { createStore: () => sqliteStore({ path: ':memory:' }) },
})

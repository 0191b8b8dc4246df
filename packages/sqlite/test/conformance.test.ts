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
})

runStoreConformance({
  name: 'sqlite :memory:',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => sqliteStore({ path: ':memory:', table: 'other_table' }),
  // Each ':memory:' store opens its own private database: two of them share nothing.
  capabilities: { sharedBackend: false },
})

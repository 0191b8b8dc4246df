import { memoryStore } from '@stack/core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { runStoreConformance } from '../src/index.js'

const runner = { describe, test, beforeAll, afterAll }
// Every memoryStore() is a private tier in this process: no backend to share.
const capabilities = { sharedBackend: false }

runStoreConformance({
  name: 'memoryStore()',
  runner,
  createStore: () => memoryStore(),
  capabilities,
})

runStoreConformance({
  name: 'memoryStore({ maxBytes: 4 MiB })',
  runner,
  createStore: () => memoryStore({ maxBytes: 4 * 1024 * 1024 }),
  capabilities,
})

import { memoryStore } from '@stack/core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { runStoreConformance } from '../src/index.js'

const runner = { describe, test, beforeAll, afterAll }

runStoreConformance({ name: 'memoryStore()', runner, createStore: () => memoryStore() })

runStoreConformance({
  name: 'memoryStore({ maxBytes: 4 MiB })',
  runner,
  createStore: () => memoryStore({ maxBytes: 4 * 1024 * 1024 }),
})

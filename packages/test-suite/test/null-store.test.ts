import { nullStore } from '@stack/core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { runStoreConformance } from '../src/index.js'

runStoreConformance({
  name: 'nullStore()',
  runner: { describe, test, beforeAll, afterAll },
  createStore: nullStore,
  capabilities: { persists: false },
})

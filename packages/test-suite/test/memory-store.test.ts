import { memoryStore } from '@stack/core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { manualClock, runStoreConformance } from '../src/index.js'

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

// memoryStore reads the clock it is given, so its expiry cases run on the suite's.
const clock = manualClock()
runStoreConformance({
  name: 'memoryStore({ clock })',
  runner,
  createStore: () => memoryStore({ clock: clock.now }),
  capabilities,
  clock,
  createStoreWith: (extra) => memoryStore({ clock: clock.now, ...extra }),
})

import KeyvRedis from '@keyv/redis'
import { runStoreConformance } from '@stack/test-suite'
import Keyv from 'keyv'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { keyvStore } from '../src/index.js'
import { redisUrl } from './servers.js'

const runner = { describe, test, beforeAll, afterAll }

// @keyv/redis on a real Redis: a string-only adapter with native TTLs and an iterator.
describe.skipIf(redisUrl === undefined)('@keyv/redis', () => {
  runStoreConformance({
    name: 'keyv over @keyv/redis',
    runner,
    createStore: () =>
      keyvStore({ keyv: new KeyvRedis(redisUrl as string), namespace: 'conformance' }),
  })
})

// Keyv's own Map store, shared by every store the factory makes: no native TTL at all,
// so every expiry check is Keyv's recorded `expires` and this store's own.
const shared = new Map<string, unknown>()
describe('Keyv over a Map', () => {
  runStoreConformance({
    name: 'keyv over a Map',
    runner,
    createStore: () => keyvStore({ keyv: new Keyv({ store: shared, namespace: 'conformance' }) }),
  })
})

import { randomUUID } from 'node:crypto'
import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { redisStore } from '../src/index.js'
import { clusterNodes, redisUrl } from './servers.js'

const runner = { describe, test, beforeAll, afterAll }
const run = randomUUID()

describe.skipIf(redisUrl === undefined)('standalone', () => {
  runStoreConformance({
    name: 'redis standalone',
    runner,
    createStore: () => redisStore({ url: redisUrl, keyPrefix: 'conformance:' }),
    createStoreWith: (extra) => redisStore({ url: redisUrl, keyPrefix: 'conformance:', ...extra }),
    // Namespaces of this run only, so clear('') touches nothing another run uses.
    clearAll: {
      createStore: () => redisStore({ url: redisUrl, keyPrefix: `clear-all:${run}:` }),
      createNeighbour: () => redisStore({ url: redisUrl, keyPrefix: `neighbour:${run}:` }),
    },
  })
})

describe.skipIf(redisUrl === undefined)('standalone, dedupeWrites', () => {
  runStoreConformance({
    name: 'redis standalone (dedupeWrites)',
    runner,
    createStore: () =>
      redisStore({ url: redisUrl, keyPrefix: 'conformance-dedup:', dedupeWrites: true }),
  })
})

describe.skipIf(clusterNodes.length === 0)('cluster', () => {
  runStoreConformance({
    name: 'redis cluster',
    runner,
    createStore: () => redisStore({ cluster: { nodes: clusterNodes }, keyPrefix: 'conformance:' }),
  })
})

import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { redisStore } from '../src/index.js'
import { clusterNodes, redisUrl } from './servers.js'

const runner = { describe, test, beforeAll, afterAll }

describe.skipIf(redisUrl === undefined)('standalone', () => {
  runStoreConformance({
    name: 'redis standalone',
    runner,
    createStore: () => redisStore({ url: redisUrl, keyPrefix: 'conformance:' }),
  })
})

describe.skipIf(clusterNodes.length === 0)('cluster', () => {
  runStoreConformance({
    name: 'redis cluster',
    runner,
    createStore: () => redisStore({ cluster: { nodes: clusterNodes }, keyPrefix: 'conformance:' }),
  })
})

import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, inject, test } from 'vitest'
import { memcachedStore } from '../src/index.js'

const servers = inject('memcachedServers')

describe.skipIf(servers.length === 0)('memcached', () => {
  runStoreConformance({
    name: 'memcached, one server',
    runner: { describe, test, beforeAll, afterAll },
    createStore: () => memcachedStore({ client: servers.slice(0, 1), timeout: '5s' }),
    createStoreWith: (extra) =>
      memcachedStore({ client: servers.slice(0, 1), timeout: '5s', ...extra }),
    clearAll: {
      createStore: () =>
        memcachedStore({ client: servers.slice(0, 1), timeout: '5s', namespace: 'clear-all' }),
      createNeighbour: () =>
        memcachedStore({ client: servers.slice(0, 1), timeout: '5s', namespace: 'neighbour' }),
    },
  })
  runStoreConformance({
    name: 'memcached, two servers',
    runner: { describe, test, beforeAll, afterAll },
    createStore: () => memcachedStore({ client: servers, timeout: '5s', namespace: 'pool' }),
  })
})

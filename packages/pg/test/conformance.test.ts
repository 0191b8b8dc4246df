import { runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, inject, test } from 'vitest'
import { pgStore } from '../src/index.js'

const url = inject('postgresUrl')

describe.skipIf(url === '')('pg', () => {
  runStoreConformance({
    name: 'pg',
    runner: { describe, test, beforeAll, afterAll },
    createStore: () => pgStore({ client: url, table: 'conformance', timeout: '5s' }),
    createStoreWith: (extra) =>
      pgStore({ client: url, table: 'conformance', timeout: '5s', ...extra }),
    clearAll: {
      createStore: () => pgStore({ client: url, table: 'conformance_clear_all', timeout: '5s' }),
      createNeighbour: () =>
        pgStore({ client: url, table: 'conformance_neighbour', timeout: '5s' }),
    },
  })
})

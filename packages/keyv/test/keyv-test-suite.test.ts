import keyvTestSuite from '@keyv/test-suite'
import { createCache, memory, memoryStore } from '@stack/core'
import Keyv from 'keyv'
import * as vitest from 'vitest'
import { stackKeyvAdapter } from '../src/index.js'

// @keyv/test-suite, the suite every official Keyv adapter passes, over a @stack cache:
// a memory tier in front of a remote tier, so reads and writes cross both.
const cache = createCache({ tiers: [memory(), memoryStore()], name: 'keyv-suite' })

vitest.describe('@keyv/test-suite over a @stack cache', () => {
  keyvTestSuite(vitest, Keyv, () => stackKeyvAdapter(cache))
})

vitest.afterAll(async () => {
  await cache.close()
})

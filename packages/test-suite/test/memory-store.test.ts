import { memoryStore } from '@stack/core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { conformanceCases, runStoreConformance } from '../src/index.js'

const runner = { describe, test, beforeAll, afterAll }

runStoreConformance({ name: 'memoryStore()', runner, createStore: () => memoryStore() })

runStoreConformance({
  name: 'memoryStore({ maxBytes: 4 MiB })',
  runner,
  createStore: () => memoryStore({ maxBytes: 4 * 1024 * 1024 }),
  // Known bug, reported to core: an oversized set deletes the previous value (MemoryTier.set
  // removes it before throwing) instead of leaving it untouched. Drop this filter once
  // memoryStore checks maxBytes before calling the tier.
  cases: conformanceCases.filter(
    (testCase) => !testCase.name.startsWith('values over maxValueBytes'),
  ),
})

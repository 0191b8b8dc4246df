import { conformanceCases, dedupeConcurrentCase, runStoreConformance } from '@stack/test-suite'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { testStore } from './server.js'

// s3rver ignores `If-None-Match: *`, so the store runs with `conditionalWrites: false`:
// it then declares `capabilities.add: false` itself and the suite skips the concurrent-add
// case, while still checking add's sequential semantics.
runStoreConformance({
  name: 's3 (s3rver)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => testStore({ prefix: 'conformance/' }),
  createStoreWith: (extra) => testStore({ prefix: 'conformance/', ...extra }),
  clearAll: {
    createStore: () => testStore({ prefix: 'conformance-clear-all/' }),
    createNeighbour: () => testStore({ prefix: 'conformance-neighbour/' }),
  },
})

// The same with gzip on every value, so compressed bodies go through the whole suite.
runStoreConformance({
  name: 's3 (s3rver, gzip)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () =>
    testStore({ prefix: 'conformance-gzip/', compression: 'gzip', compressionThreshold: 0 }),
})

// With write deduplication: envelopes are split into metadata and body, and rewrites of an
// unchanged payload only touch metadata. Every case but one must hold on s3rver: it writes
// an object's body, its MD5 and its metadata as three files, one after the other, and
// ignores `x-amz-copy-source-if-match`, so dozens of concurrent PUTs and copies of one
// object tear on the server itself (and some fail with its InternalError). Real S3 writes
// objects atomically and honours the condition; the GCS run keeps the concurrent case.
runStoreConformance({
  name: 's3 (dedupeWrites)',
  runner: { describe, test, beforeAll, afterAll },
  createStore: () => testStore({ prefix: 'conformance-dedup/', dedupeWrites: true }),
  cases: conformanceCases.filter((check) => check !== dedupeConcurrentCase),
})

import { nullStore } from '@stack/core'
import { describe, expect, test } from 'vitest'
import { conformanceCases } from '../src/index.js'
import { collectOutcomes, failedTitles } from './support/collect.js'
import { type MapBackend, type MapStoreOptions, mapStore } from './support/map-store.js'

interface Breakage {
  /** Which fault, and the case (by a fragment of its name) that must catch it. */
  readonly fault: string
  readonly store: MapStoreOptions
  readonly caseName: string
  /** What the failure message must say, so the case fails for the right reason. */
  readonly message: RegExp
}

const breakages: readonly Breakage[] = [
  {
    fault: 'clear() with an unescaped glob',
    store: { faults: { clearAsGlob: true } },
    caseName: 'clear(prefix) takes prefix literally',
    message: /must survive clear\("0\/a\*"\)/,
  },
  {
    fault: 'a past expiry stored as never expiring',
    store: { faults: { keepsPastExpiry: true } },
    caseName: 'an expiry at or before now never persists',
    message: /set with expiresAt one second ago/,
  },
  {
    fault: "keeping the caller's array",
    store: { faults: { sharesArrays: true } },
    caseName: 'stored values are copies',
    message: /after mutating the written array/,
  },
  {
    fault: 'a seconds store rounding expiries down',
    store: { ttlGranularity: 's', faults: { roundsSecondsDown: true } },
    caseName: 'expiry is honoured at the declared granularity',
    message: /expired early/,
  },
  {
    fault: 'a non-atomic add declared atomic',
    store: { faults: { racyAdd: true } },
    caseName: 'concurrent callers on one key',
    message: /exactly one winner/,
  },
  {
    fault: 'calls working after close()',
    store: { faults: { ignoresClose: true } },
    caseName: 'close is idempotent',
    message: /get after close: expected a rejection with ClosedError/,
  },
  {
    fault: 'keys truncated to 250 characters',
    store: { faults: { truncatesKeys: true } },
    caseName: 'hostile keys',
    message: /hostile key #\d+: bytes differ/,
  },
  {
    fault: 'values over maxValueBytes silently dropped',
    store: { maxValueBytes: 1024, faults: { dropsLargeValues: true } },
    caseName: 'values over maxValueBytes reject',
    message: /expected a rejection with ValueTooLargeError/,
  },
  {
    fault: 'deleteMany counting a duplicate key twice',
    store: { faults: { deleteManyCountsDuplicates: true } },
    caseName: 'deleteMany:',
    message: /counts each removed live entry once/,
  },
  {
    fault: 'keys written as UTF-8 unchecked, so lone surrogates become U+FFFD',
    store: { faults: { utf8Keys: true } },
    caseName: 'lone UTF-16 surrogates',
    message: /key lone high surrogate \\uD800: (wrong length|bytes differ)/,
  },
  {
    fault: 'keys over a B-tree row limit after compression failing',
    store: { faults: { keyRowLimit: true } },
    caseName: 'incompressible 30,000-character keys',
    message: /index row size exceeds btree maximum/,
  },
  {
    fault: 'a clear() only the clearing instance sees',
    store: { faults: { localClearLog: true } },
    caseName: 'two stores from createStore share one backend',
    message: /B reading a key A cleared/,
  },
]

function casesNamed(fragment: string) {
  const cases = conformanceCases.filter((testCase) => testCase.name.includes(fragment))
  expect(cases, `exactly one case named like "${fragment}"`).toHaveLength(1)
  return cases
}

describe('the suite fails on broken stores', () => {
  test.each(breakages)(
    'catches $fault',
    async ({ store, caseName, message }) => {
      const cases = casesNamed(caseName)
      const { faults: _, ...sound } = store
      const soundBackend: MapBackend = new Map()
      const control = await collectOutcomes({
        name: 'sound',
        createStore: () => mapStore({ ...sound, backend: soundBackend }),
        cases,
      })
      expect(failedTitles(control), 'the same store without the fault passes').toEqual([])

      const brokenBackend: MapBackend = new Map()
      const outcomes = await collectOutcomes({
        name: 'broken',
        createStore: () => mapStore({ ...store, backend: brokenBackend }),
        cases,
      })
      // The fault is caught directly and through completeStore alike.
      expect(failedTitles(outcomes)).toHaveLength(2)
      for (const { error } of outcomes) expect(String(error)).toMatch(message)
    },
    20_000,
  )

  test('a store that keeps nothing fails the round-trip cases unless declared persists: false', async () => {
    const outcomes = await collectOutcomes({ name: 'null', createStore: nullStore })
    const failed = failedTitles(outcomes)
    expect(failed).toContain(
      'null: store conformance > native methods > binary values round-trip: empty, 1 byte, all 256 byte values, 1 MiB, a subarray view',
    )
    expect(failed.length).toBeGreaterThan(10)
  })
})

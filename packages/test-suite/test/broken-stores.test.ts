import { nullStore } from '@stack/core'
import { describe, expect, test } from 'vitest'
import { roundTripCase } from '../src/cases/values.js'
import { conformanceCases, manualClock } from '../src/index.js'
import { collectOutcomes, failedTitles, skippedTitles } from './support/collect.js'
import { type MapBackend, type MapStoreOptions, mapStore } from './support/map-store.js'

interface Breakage {
  /** Which fault, and the case (by a fragment of its name) that must catch it. */
  readonly fault: string
  readonly store: MapStoreOptions
  /**
   * Run the stores on a manual clock. Faults that only timing shows need it: on the real
   * clock a busy machine can make the suite read too late to see them, and the suite then
   * leaves the check out rather than fail a sound store.
   */
  readonly clock?: boolean
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
    caseName: 'an expiry at or before now',
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
    clock: true,
    caseName: 'expiry: never early',
    message: /expired early/,
  },
  {
    fault: 'getMany forgetting expiry (only get checks it)',
    store: { faults: { getManyIgnoresExpiry: true } },
    caseName: 'expiry: never early',
    message: /getMany at expiresAt|getMany \d+ ms after expiry/,
  },
  {
    fault: 'delete resolving true for an expired entry',
    store: { faults: { deleteIgnoresExpiry: true } },
    caseName: 'expiry: never early',
    message: /delete .*\(not live\)/,
  },
  {
    fault: 'add losing to an expired entry',
    store: { faults: { addIgnoresExpiry: true } },
    caseName: 'expiry: never early',
    message: /add over an entry/,
  },
  {
    fault: 'keys() listing expired entries',
    store: { faults: { keysIgnoreExpiry: true } },
    caseName: 'expiry: never early',
    message: /keys\(\) (at expiresAt|\d+ ms after)/,
  },
  {
    fault: 'an entry served at now === expiresAt (on a manual clock)',
    store: { faults: { liveAtExpiry: true } },
    clock: true,
    caseName: 'expiry: never early',
    message: /at expiresAt exactly/,
  },
  {
    fault: "a 'ms' store truncating expiries to the second (on a manual clock)",
    store: { faults: { truncatesToSeconds: true } },
    clock: true,
    caseName: 'expiry: never early',
    message: /expired early/,
  },
  {
    fault: "a 'ms' store rounding expiries up to the second",
    store: { faults: { msRoundedUpToSeconds: true } },
    clock: true,
    caseName: 'expiry: never early',
    message: /get (at expiresAt exactly|\d+ ms after expiry): expected undefined/,
  },
  {
    fault: 'clear() and keys() comparing NFC-normalised prefixes',
    store: { faults: { normalisesPrefixes: true } },
    caseName: 'compare code units',
    message: /form of é composed \(NFC\) and decomposed \(NFD\)/,
  },
  {
    fault: 'keys(prefix) matching a substring',
    store: { faults: { keysBySubstring: true } },
    caseName: 'keys(prefix) lists exactly',
    message: /keys\(prefix \+ "a"\)/,
  },
  {
    fault: "clear('') emptying the whole backend",
    store: { faults: { wipesBackend: true } },
    caseName: "clear('') removes every key",
    message: /in another namespace after clear\(''\)/,
  },
  {
    fault: "clear('') removing only what this instance wrote",
    store: { faults: { clearsOwnWritesOnly: true } },
    caseName: "clear('') removes every key",
    message: /read by the instance that wrote after clear\(''\)/,
  },
  {
    fault: 'get resolving an ArrayBuffer',
    store: { faults: { returnsArrayBuffer: true } },
    caseName: 'binary values round-trip',
    message: /expected a Uint8Array/,
  },
  {
    fault: "'' and non-string keys accepted",
    store: { faults: { acceptsAnyKey: true } },
    caseName: 'invalid input rejects',
    message: /get with key '': expected a rejection with InvalidKeyError/,
  },
  {
    fault: 'values that are not a Uint8Array stored',
    store: { faults: { acceptsAnyValue: true } },
    caseName: 'invalid input rejects',
    message: /set of a string: expected a rejection with InvalidOptionError naming 'value'/,
  },
  {
    fault: 'a NaN expiry stored as never expiring',
    store: { faults: { nanExpiryNeverExpires: true } },
    caseName: 'invalid input rejects',
    message: /set with expiresAt NaN/,
  },
  {
    fault: "a missing prefix read as ''",
    store: { faults: { prefixDefaultsToEmpty: true } },
    caseName: 'invalid input rejects',
    message: /clear\(undefined\): expected a rejection/,
  },
  {
    fault: 'setMany writing the entries before an invalid one',
    store: { faults: { setManyWritesUntilInvalid: true } },
    caseName: 'invalid input rejects',
    message: /valid entry of a rejected setMany/,
  },
  {
    fault: 'keys() throwing at the call after close()',
    store: { faults: { keysThrowAtCall: true } },
    caseName: 'close is idempotent',
    message: /keys\(\) after close threw at the call/,
  },
  {
    fault: 'a factory ignoring unknown options',
    store: { faults: { acceptsUnknownOptions: true } },
    caseName: 'rejects unknown options',
    message: /accepted the unknown option "ttl"/,
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
  {
    fault: 'setIfNewer writing an older version',
    store: { conditional: true, faults: { conditionalIgnoresVersion: true } },
    caseName: 'setIfNewer refuses a strictly older version',
    message: /an older write/,
  },
  {
    fault: 'deleteIfNewer leaving no tombstone',
    store: { conditional: true, faults: { deleteLeavesNoTombstone: true } },
    caseName: 'deleteIfNewer leaves a tombstone',
    message: /an older write/,
  },
  {
    fault: 'setIfNewer comparing and writing across an await',
    store: { conditional: true, faults: { racyConditional: true } },
    caseName: 'concurrent setIfNewer and deleteIfNewer',
    message: /the value of the highest version|a late write of version/,
  },
  {
    fault: 'a tombstone still refusing at now === tombstoneUntil (on a manual clock)',
    store: { conditional: true, faults: { tombstoneLiveAtExpiry: true } },
    clock: true,
    caseName: 'a tombstone refuses older writes until tombstoneUntil',
    message: /after tombstoneUntil/,
  },
  {
    fault: 'a setup warning without a code',
    store: { faults: { codelessSetupWarning: true } },
    caseName: 'checkSetup (when implemented)',
    message: /a warning needs a string code/,
  },
]

function casesNamed(fragment: string) {
  const cases = conformanceCases.filter((testCase) => testCase.name.includes(fragment))
  expect(cases, `exactly one case named like "${fragment}"`).toHaveLength(1)
  return cases
}

/** Suite options for map stores on one fresh backend, every optional factory wired. */
function mapStores(name: string, options: MapStoreOptions, onClock: boolean) {
  const backend: MapBackend = new Map()
  const clock = onClock ? manualClock() : undefined
  const create = (extra: Record<string, unknown> = {}) =>
    mapStore({
      namespace: 'main/',
      ...options,
      backend,
      ...(clock && { now: clock.now }),
      ...extra,
    })
  return {
    name,
    clock,
    createStore: () => create(),
    createStoreWith: create,
    clearAll: {
      createStore: () => create({ namespace: 'cleared/' }),
      createNeighbour: () => create({ namespace: 'neighbour/' }),
    },
  }
}

describe('the suite fails on broken stores', () => {
  test.each(breakages)(
    'catches $fault',
    async ({ store, clock = false, caseName, message }) => {
      const cases = casesNamed(caseName)
      const { faults: _, ...sound } = store
      const control = await collectOutcomes({ ...mapStores('sound', sound, clock), cases })
      expect(failedTitles(control), 'the same store without the fault passes').toEqual([])
      expect(skippedTitles(control).length, 'the case runs (natively at least)').toBeLessThan(2)

      const outcomes = await collectOutcomes({ ...mapStores('broken', store, clock), cases })
      // Caught natively; the completeStore run is skipped, since the store is complete.
      expect(failedTitles(outcomes)).toEqual([
        `broken: store conformance > native methods > ${cases[0]!.name}`,
      ])
      const [native] = outcomes
      expect(String(native!.error)).toMatch(message)
    },
    20_000,
  )

  test('a store that keeps nothing fails the round-trip cases unless declared persists: false', async () => {
    const outcomes = await collectOutcomes({ name: 'null', createStore: nullStore })
    const failed = failedTitles(outcomes)
    expect(failed).toContain(`null: store conformance > native methods > ${roundTripCase.name}`)
    expect(failed.length).toBeGreaterThan(10)
  })
})

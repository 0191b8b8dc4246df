import type { RemoteStore } from '@stack/core'
import type { ConformanceOptions, SuiteCapabilities } from './options.js'
import type { SuiteTime } from './support/clock.js'

/** How the store reaches a case. */
export type StoreVariant = 'native' | 'completeStore'

/** What one case gets to work with. */
export interface CaseContext {
  /**
   * The store under test: the one `createStore` made (`'native'`), or that store wrapped
   * in core's `completeStore`, so core's fallbacks for its missing optional methods run
   * (`'completeStore'`).
   */
  readonly store: RemoteStore
  readonly variant: StoreVariant
  /** The store's capabilities with the suite's overrides applied. */
  readonly capabilities: SuiteCapabilities
  /** This test's random key prefix; every key the case writes starts with it. */
  readonly prefix: string
  /** `prefix + suffix`. */
  readonly key: (suffix: string) => string
  /**
   * Another store from `createStore`, on the same backend as `store` (wrapped in
   * `completeStore` too in that variant). The suite closes it after the case.
   */
  readonly openPeer: () => Promise<RemoteStore>
  /**
   * Opens a store made by a factory of {@link ConformanceOptions} other than
   * `createStore` (`clearAll.createStore`, `clearAll.createNeighbour`, or
   * `createStoreWith` with `{}`); the suite closes it after the case. Wrapped in
   * `completeStore` in that variant.
   */
  readonly openOther: (create: () => RemoteStore | Promise<RemoteStore>) => Promise<RemoteStore>
  /** The suite's options, for cases that need the optional factories. */
  readonly options: ConformanceOptions
  /** The time the store reads: a manual clock the suite moves, or the real one. */
  readonly time: SuiteTime
}

/**
 * One conformance check. Cases are plain data so store authors can read, filter and
 * extend the list; see `conformanceCases`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict'
 * import { type ConformanceCase, conformanceCases, runStoreConformance } from '@stack/test-suite'
 *
 * const survivesReconnect: ConformanceCase = {
 *   name: 'a value survives a reconnect',
 *   async run({ store, key }) {
 *     await store.set(key('k'), new Uint8Array([1]), Infinity)
 *     await reconnect(store)
 *     assert.deepEqual(await store.get(key('k')), new Uint8Array([1]))
 *   },
 * }
 * runStoreConformance({ ...options, cases: [...conformanceCases, survivesReconnect] })
 * ```
 */
export interface ConformanceCase {
  /** Test title; say what must hold, e.g. `'missing keys read as undefined'`. */
  readonly name: string
  /**
   * Whether the case applies to this store (e.g. only when `capabilities.add`). A case
   * that does not apply is reported as skipped by the runner; the title should say when
   * it applies.
   */
  readonly appliesTo?: ((context: CaseContext) => boolean) | undefined
  /** The check itself; throw (e.g. with `node:assert/strict`) to fail. */
  readonly run: (context: CaseContext) => Promise<void>
}

import type { RemoteStore, StoreCapabilities } from '@stack/core'
import type { ConformanceCase } from './case.js'

/** A hook registration function: vitest/jest `beforeAll`/`afterAll`, node:test `before`/`after`. */
export type HookFunction = (hook: () => Promise<void>) => unknown

/**
 * The few functions the suite needs from a test runner. vitest's and jest's globals fit
 * as they are, and so do node:test's `describe`, `test`, `before` and `after`.
 */
export interface ConformanceRunner {
  /** Groups tests; the body registers them synchronously. */
  readonly describe: (name: string, body: () => void) => unknown
  /**
   * Registers one test. The suite passes its own per-test time limit as the third
   * argument, which vitest and jest honour and node:test ignores (the suite enforces
   * the limit itself either way).
   */
  readonly test: (name: string, body: () => Promise<void>, timeout?: number) => unknown
  /** Runs once before the suite's tests (vitest, jest). */
  readonly beforeAll?: HookFunction | undefined
  /** Runs once after the suite's tests (vitest, jest). */
  readonly afterAll?: HookFunction | undefined
  /** node:test's name for `beforeAll`. */
  readonly before?: HookFunction | undefined
  /** node:test's name for `afterAll`. */
  readonly after?: HookFunction | undefined
}

/**
 * What the suite assumes about the store: its own `capabilities`, with the overrides
 * from {@link ConformanceOptions.capabilities} applied.
 */
export interface SuiteCapabilities extends StoreCapabilities {
  /**
   * `false` for a store that keeps nothing on purpose (like core's `nullStore()`): the
   * suite then checks null semantics (every read a miss, `add` always wins) instead of
   * round trips. Defaults to `true`.
   */
  readonly persists: boolean
  /**
   * `false` when two stores from one `createStore` do not share their backend (like
   * core's `memoryStore()`, which makes a private tier each time): the suite then leaves
   * out the two-instance case. Defaults to `true`.
   */
  readonly sharedBackend: boolean
}

/** Options of {@link runStoreConformance}. */
export interface ConformanceOptions {
  /** Name of the store under test, shown in the test titles. */
  readonly name: string
  /** The test runner's functions; see {@link ConformanceRunner}. */
  readonly runner: ConformanceRunner
  /**
   * Makes a fresh store. Called once per test (twice by the two-instance case, and once by
   * the `beforeAll` probe); the suite closes each store after its test, pass or fail.
   * Stores made by one factory must share one backend (same server and namespace, same
   * directory, same database file), as separate processes of one application would;
   * every test works under its own random key prefix, so they do not see each other.
   */
  readonly createStore: () => RemoteStore | Promise<RemoteStore>
  /** Overrides of the store's declared capabilities, plus `persists` and `sharedBackend`. Rarely needed. */
  readonly capabilities?:
    | (Partial<StoreCapabilities> & {
        readonly persists?: boolean
        readonly sharedBackend?: boolean
      })
    | undefined
  /**
   * Time limit of one case in ms (the store's cleanup after it gets as long again).
   * Defaults to 15,000.
   */
  readonly timeoutMs?: number | undefined
  /**
   * The cases to run. Defaults to {@link conformanceCases}, or {@link nullStoreCases}
   * when `capabilities.persists` is `false`. Extend the default list with your own
   * store-specific cases rather than trimming it.
   */
  readonly cases?: readonly ConformanceCase[] | undefined
}

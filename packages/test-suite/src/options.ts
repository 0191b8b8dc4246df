import type { RemoteStore, StoreCapabilities } from '@stack/core'
import type { ConformanceCase } from './case.js'
import type { ManualClock } from './support/clock.js'

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
  /**
   * Registers a skipped test: jest's `test.skip`. Give it only to a runner whose test
   * bodies get no context with a `skip()` (jest), and `await runStoreConformance(...)`:
   * the suite then opens one store first to learn which cases apply, and registers the
   * others with `skip`. vitest and node:test need neither: the suite skips through the
   * test context at run time.
   */
  readonly skip?: ((name: string, body: () => void) => unknown) | undefined
}

/** Stores for the `clear('')` case; see {@link ConformanceOptions.clearAll}. */
export interface ClearAllStores {
  /**
   * Makes a store in a namespace (key prefix, directory, table, database) that nothing
   * else uses, so the suite may call `clear('')` on it. Every store it makes must share
   * that one namespace (unless `capabilities.sharedBackend` is `false`: then the suite
   * writes and clears through one instance).
   */
  readonly createStore: () => RemoteStore | Promise<RemoteStore>
  /**
   * Makes a store on the same backend (server, bucket, database file) in another
   * namespace. `clear('')` of the first store must leave its entries alone. Leave it out
   * when the backend cannot be shared (a private in-memory store).
   */
  readonly createNeighbour?: (() => RemoteStore | Promise<RemoteStore>) | undefined
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
   * The clock your stores read for expiry instead of `Date.now()`, if they take one (make
   * it with {@link manualClock} and hand `clock.now` to every store `createStore` makes).
   * The expiry cases then move it to the exact millisecond they check: deterministic and
   * instant. Without it they wait for the real time (about 0.1 s for a `'ms'` store, up to
   * 2.5 s for a `'s'` one).
   */
  readonly clock?: ManualClock | undefined
  /**
   * Stores for the `clear('')` case, which never runs on the stores of `createStore` (they
   * may share a namespace with other tests). Without it that case is skipped.
   */
  readonly clearAll?: ClearAllStores | undefined
  /**
   * Your factory with its usual options plus `extraOptions`, e.g.
   * `(extra) => myStore({ url, ...extra })`. The unknown-options case calls it with
   * options no store takes (`ttl`, `serializer`, a misspelt name) and expects
   * `InvalidOptionError` naming each. Without it that case is skipped.
   */
  readonly createStoreWith?:
    | ((extraOptions: Record<string, unknown>) => RemoteStore | Promise<RemoteStore>)
    | undefined
  /**
   * The cases to run. Defaults to {@link conformanceCases}, or {@link nullStoreCases}
   * when `capabilities.persists` is `false`. Extend the default list with your own
   * store-specific cases rather than trimming it.
   */
  readonly cases?: readonly ConformanceCase[] | undefined
}

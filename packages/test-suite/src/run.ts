import { randomUUID } from 'node:crypto'
import { completeStore, type RemoteStore } from '@stack/core'
import type { CaseContext, ConformanceCase, StoreVariant } from './case.js'
import { conformanceCases, nullStoreCases } from './cases/index.js'
import type { ConformanceOptions, SuiteCapabilities } from './options.js'
import { checkConformanceOptions } from './options-check.js'
import { suiteTime } from './support/clock.js'
import { withTimeout } from './support/time.js'

const DEFAULT_TIMEOUT_MS = 15_000

const VARIANTS: readonly { variant: StoreVariant; title: string }[] = [
  { variant: 'native', title: 'native methods' },
  {
    variant: 'completeStore',
    title: "through core's completeStore (fallbacks for missing methods)",
  },
]

/** Why a case did not run, or `undefined` when it ran. */
type SkipReason = string | undefined

const SAME_STORE =
  'completeStore(store) returns the store itself (every optional method is native): the native run covers it'

/**
 * Registers the conformance suite for one store with the given test runner. Call it at
 * the top level of a test file. Every case runs twice: against the store itself, and
 * through `completeStore` so core's fallbacks for missing optional methods are checked too
 * (once when the store has every optional method, since `completeStore` then returns it
 * unchanged). A case that does not apply to the store is reported as skipped.
 *
 * Each test creates its own store, works under its own random key prefix, and clears
 * that prefix and closes the store afterwards, pass or fail.
 *
 * Returns a promise that resolves once every test is registered: at once, unless
 * `runner.skip` is given (jest), when the suite first opens a store to learn which cases
 * apply; `await` it then.
 *
 * @example
 * ```ts
 * import { afterAll, beforeAll, describe, test } from 'vitest'
 * import { runStoreConformance } from '@stack/test-suite'
 *
 * runStoreConformance({
 *   name: 'my store',
 *   runner: { describe, test, beforeAll, afterAll },
 *   createStore: () => myStore({ url: process.env.MY_URL }),
 * })
 * ```
 */
export function runStoreConformance(options: ConformanceOptions): Promise<void> {
  checkConformanceOptions(options)
  const { runner } = options
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const persists = options.capabilities?.persists ?? true
  const cases = options.cases ?? (persists ? conformanceCases : nullStoreCases)
  const time = suiteTime(options.clock)
  const leftoverPrefixes = new Set<string>()
  const beforeAll = runner.beforeAll ?? runner.before
  const afterAll = runner.afterAll ?? runner.after

  const createStore = () =>
    withTimeout(Promise.resolve().then(options.createStore), timeoutMs, 'createStore()')

  /** Registers every test; `plan` (from a probe) names the cases to register as skipped. */
  const register = (plan?: ReadonlyMap<string, SkipReason>) =>
    runner.describe(`${options.name}: store conformance`, () => {
      // One early probe, so an unreachable backend fails once and clearly rather than per test.
      beforeAll?.(async () => {
        const store = await createStore()
        await withTimeout(store.get(uniquePrefix()), timeoutMs, 'the probe get()')
        await withTimeout(store.close(), timeoutMs, 'close() of the probe store')
      })
      afterAll?.(async () => {
        if (leftoverPrefixes.size === 0) return
        const store = await createStore()
        for (const prefix of leftoverPrefixes) {
          await withTimeout(store.clear(prefix), timeoutMs, `clear("${prefix}")`)
        }
        await withTimeout(store.close(), timeoutMs, 'close() of the clean-up store')
      })
      for (const { variant, title } of VARIANTS) {
        runner.describe(title, () => {
          for (const testCase of cases) {
            if (plan?.get(planKey(variant, testCase)) !== undefined) {
              runner.skip?.(testCase.name, () => {})
              continue
            }
            // Creating the store, the case and the clean-up each get the full limit.
            runner.test(
              testCase.name,
              async (...runnerArguments: unknown[]) => {
                const skipped = await runCase(testCase, variant)
                if (skipped !== undefined) skipThroughContext(runnerArguments[0], skipped)
              },
              3 * timeoutMs + 1000,
            )
          }
        })
      }
    })

  if (runner.skip === undefined) {
    register()
    return Promise.resolve()
  }
  return probePlan().then((plan) => {
    register(plan)
  })

  /** For runners that cannot skip at run time: which cases apply, from one probe store. */
  async function probePlan(): Promise<Map<string, SkipReason>> {
    const plan = new Map<string, SkipReason>()
    const store = await createStore()
    try {
      for (const { variant } of VARIANTS) {
        const context = caseContext(store, variant, uniquePrefix(), [])
        for (const testCase of cases) {
          plan.set(planKey(variant, testCase), skipReason(testCase, context, store))
        }
      }
    } finally {
      await withTimeout(store.close(), timeoutMs, 'close() of the probe store')
    }
    return plan
  }

  async function runCase(testCase: ConformanceCase, variant: StoreVariant): Promise<SkipReason> {
    const prefix = uniquePrefix()
    const store = await createStore()
    const others: RemoteStore[] = []
    let failure: { error: unknown } | undefined
    let skipped: SkipReason
    try {
      const context = caseContext(store, variant, prefix, others)
      skipped = skipReason(testCase, context, store)
      if (skipped === undefined) {
        await withTimeout(testCase.run(context), timeoutMs, `case "${testCase.name}"`)
      }
    } catch (error) {
      failure = { error }
    }
    try {
      await withTimeout(store.clear(prefix), timeoutMs, 'clean-up clear()')
    } catch {
      // The case may have closed the store; the suite's afterAll clears the prefix instead.
      leftoverPrefixes.add(prefix)
    }
    for (const [what, closing] of [
      ...others.map((other) => ['close() of another store after the case', other] as const),
      ['close() after the case', store] as const,
    ]) {
      try {
        await withTimeout(closing.close(), timeoutMs, what)
      } catch (error) {
        failure ??= { error }
      }
    }
    if (failure) throw failure.error
    return skipped
  }

  function caseContext(
    store: RemoteStore,
    variant: StoreVariant,
    prefix: string,
    others: RemoteStore[],
  ): CaseContext {
    const { persists: _, sharedBackend = true, ...overrides } = options.capabilities ?? {}
    const capabilities: SuiteCapabilities = {
      ...store.capabilities,
      ...overrides,
      persists,
      sharedBackend,
    }
    const openOther = async (create: () => RemoteStore | Promise<RemoteStore>) => {
      const other = await withTimeout(Promise.resolve().then(create), timeoutMs, 'a store factory')
      others.push(other)
      return variant === 'completeStore' ? completeStore(other) : other
    }
    return {
      openPeer: () => openOther(options.createStore),
      openOther,
      options,
      time,
      store: variant === 'completeStore' ? completeStore(store) : store,
      variant,
      capabilities,
      prefix,
      key: (suffix) => prefix + suffix,
    }
  }
}

function skipReason(
  testCase: ConformanceCase,
  context: CaseContext,
  store: RemoteStore,
): SkipReason {
  if (context.variant === 'completeStore' && completeStore(store) === store) return SAME_STORE
  if (testCase.appliesTo?.(context) ?? true) return undefined
  return `does not apply to this store: ${testCase.name}`
}

/**
 * Marks the running test skipped through the runner's test context: vitest's `skip()`
 * (which ends the test) and node:test's `skip()` (which marks it).
 */
function skipThroughContext(runnerContext: unknown, reason: string): void {
  const skip = (runnerContext as { skip?: unknown } | undefined)?.skip
  if (typeof skip === 'function') skip.call(runnerContext, reason)
}

function planKey(variant: StoreVariant, testCase: ConformanceCase): string {
  return `${variant}\u0000${testCase.name}`
}

/** A key prefix no other test, run or process uses. */
function uniquePrefix(): string {
  return `stack-suite:${randomUUID()}:`
}

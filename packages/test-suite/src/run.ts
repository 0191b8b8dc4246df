import { randomUUID } from 'node:crypto'
import { completeStore, type RemoteStore } from '@stack/core'
import type { CaseContext, ConformanceCase, StoreVariant } from './case.js'
import { conformanceCases, nullStoreCases } from './cases/index.js'
import type { ConformanceOptions, SuiteCapabilities } from './options.js'
import { withTimeout } from './support/time.js'

const DEFAULT_TIMEOUT_MS = 15_000

const VARIANTS: readonly { variant: StoreVariant; title: string }[] = [
  { variant: 'native', title: 'native methods' },
  {
    variant: 'completeStore',
    title: "through core's completeStore (fallbacks for missing methods)",
  },
]

/**
 * Registers the conformance suite for one store with the given test runner. Call it at
 * the top level of a test file. Every case runs twice: against the store itself, and
 * through `completeStore` so core's fallbacks for missing optional methods are checked too.
 *
 * Each test creates its own store, works under its own random key prefix, and clears
 * that prefix and closes the store afterwards, pass or fail.
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
export function runStoreConformance(options: ConformanceOptions): void {
  const { runner } = options
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const persists = options.capabilities?.persists ?? true
  const cases = options.cases ?? (persists ? conformanceCases : nullStoreCases)
  const leftoverPrefixes = new Set<string>()
  const beforeAll = runner.beforeAll ?? runner.before
  const afterAll = runner.afterAll ?? runner.after

  const createStore = () =>
    withTimeout(Promise.resolve().then(options.createStore), timeoutMs, 'createStore()')

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
          // Creating the store, the case and the clean-up each get the full limit.
          runner.test(testCase.name, () => runCase(testCase, variant), 3 * timeoutMs + 1000)
        }
      })
    }
  })

  async function runCase(testCase: ConformanceCase, variant: StoreVariant): Promise<void> {
    const prefix = uniquePrefix()
    const store = await createStore()
    const peers: RemoteStore[] = []
    const openPeer = async () => {
      const peer = await createStore()
      peers.push(peer)
      return variant === 'completeStore' ? completeStore(peer) : peer
    }
    let failure: { error: unknown } | undefined
    try {
      const context = caseContext(store, variant, prefix, openPeer)
      if (testCase.appliesTo?.(context) ?? true) {
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
      ...peers.map((peer) => ['close() of a peer store after the case', peer] as const),
      ['close() after the case', store] as const,
    ]) {
      try {
        await withTimeout(closing.close(), timeoutMs, what)
      } catch (error) {
        failure ??= { error }
      }
    }
    if (failure) throw failure.error
  }

  function caseContext(
    store: RemoteStore,
    variant: StoreVariant,
    prefix: string,
    openPeer: () => Promise<RemoteStore>,
  ): CaseContext {
    const { persists: _, sharedBackend = true, ...overrides } = options.capabilities ?? {}
    const capabilities: SuiteCapabilities = {
      ...store.capabilities,
      ...overrides,
      persists,
      sharedBackend,
    }
    return {
      openPeer,
      store: variant === 'completeStore' ? completeStore(store) : store,
      variant,
      capabilities,
      prefix,
      key: (suffix) => prefix + suffix,
    }
  }
}

/** A key prefix no other test, run or process uses. */
function uniquePrefix(): string {
  return `stack-suite:${randomUUID()}:`
}

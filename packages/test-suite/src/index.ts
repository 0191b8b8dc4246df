/**
 * The conformance suite every `@stack` store, first-party or third-party, must pass.
 * Runner-agnostic: give it vitest's, jest's or node:test's functions.
 *
 * @packageDocumentation
 */
export type { CaseContext, ConformanceCase, StoreVariant } from './case.js'
export {
  conditionalConcurrencyCase,
  conditionalDeleteCase,
  conditionalExpiryCase,
  conditionalInvalidInputCase,
  conditionalOrderCase,
  tombstoneExpiryCase,
  tombstoneVisibilityCase,
} from './cases/conditional-writes.js'
export {
  dedupeChangesCase,
  dedupeConcurrentCase,
  dedupeRewriteCase,
} from './cases/dedupe-writes.js'
export { hostileKeys } from './cases/hostile-keys.js'
export { conformanceCases, nullStoreCases } from './cases/index.js'
export type {
  ClearAllStores,
  ConformanceOptions,
  ConformanceRunner,
  HookFunction,
  SuiteCapabilities,
} from './options.js'
export { runStoreConformance } from './run.js'
export { type ManualClock, manualClock, type SuiteTime } from './support/clock.js'

import { type OptionNames, readOptions } from '@stack/core/store-kit'
import type { ConformanceOptions } from './options.js'

const CONFORMANCE_OPTIONS: OptionNames<ConformanceOptions> = {
  name: true,
  runner: true,
  createStore: true,
  capabilities: true,
  timeoutMs: true,
  clock: true,
  clearAll: true,
  createStoreWith: true,
  cases: true,
}

/** The suite holds itself to its own rule: an unknown option is an error, never ignored. */
export function checkConformanceOptions(options: ConformanceOptions): void {
  readOptions(options, CONFORMANCE_OPTIONS, { factory: 'runStoreConformance' })
}

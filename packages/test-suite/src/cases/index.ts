import type { ConformanceCase } from '../case.js'
import { addCase, concurrentAddCase } from './add.js'
import { deleteManyCase, getManyCase, setManyCase } from './batch.js'
import { clearLiteralCase, clearPrefixCase } from './clear.js'
import { clearAllCase } from './clear-all.js'
import { closeCase } from './close.js'
import {
  conditionalConcurrencyCase,
  conditionalDeleteCase,
  conditionalExpiryCase,
  conditionalInvalidInputCase,
  conditionalOrderCase,
  tombstoneExpiryCase,
  tombstoneVisibilityCase,
} from './conditional-writes.js'
import { contractCase } from './contract.js'
import { dedupeChangesCase, dedupeConcurrentCase, dedupeRewriteCase } from './dedupe-writes.js'
import { expiryCase, pastExpiryCase } from './expiry.js'
import { hostileKeysCase, maxKeyBytesCase } from './hostile-keys.js'
import { invalidInputCase } from './invalid-input.js'
import { listKeysCase } from './list-keys.js'
import { incompressibleLongKeysCase } from './long-keys.js'
import { nullAddCase, nullMissesCase } from './null-store.js'
import { setupCheckCase } from './setup-check.js'
import { sharedBackendCase } from './shared-backend.js'
import { loneSurrogateKeysCase } from './surrogate-keys.js'
import { unicodePrefixCase } from './unicode-prefix.js'
import { unknownOptionsCase } from './unknown-options.js'
import { valueTooLargeCase } from './value-size.js'
import {
  concurrentWritesCase,
  copySemanticsCase,
  deleteCase,
  missingKeysCase,
  overwriteCase,
  roundTripCase,
} from './values.js'

/**
 * Every case run against a store that keeps what it is given (the default list).
 *
 * @example
 * ```ts
 * // Add a store-specific case to the standard ones.
 * runStoreConformance({ ...options, cases: [...conformanceCases, myExtraCase] })
 * ```
 */
export const conformanceCases: readonly ConformanceCase[] = [
  contractCase,
  roundTripCase,
  copySemanticsCase,
  missingKeysCase,
  overwriteCase,
  deleteCase,
  concurrentWritesCase,
  pastExpiryCase,
  expiryCase,
  hostileKeysCase,
  loneSurrogateKeysCase,
  incompressibleLongKeysCase,
  maxKeyBytesCase,
  valueTooLargeCase,
  clearPrefixCase,
  clearLiteralCase,
  unicodePrefixCase,
  clearAllCase,
  getManyCase,
  setManyCase,
  deleteManyCase,
  addCase,
  concurrentAddCase,
  listKeysCase,
  dedupeRewriteCase,
  dedupeChangesCase,
  dedupeConcurrentCase,
  conditionalOrderCase,
  conditionalDeleteCase,
  tombstoneVisibilityCase,
  tombstoneExpiryCase,
  conditionalExpiryCase,
  conditionalConcurrencyCase,
  conditionalInvalidInputCase,
  sharedBackendCase,
  invalidInputCase,
  unknownOptionsCase,
  setupCheckCase,
  closeCase,
]

/** The cases run against a store declared with `persists: false`, like core's `nullStore()`. */
export const nullStoreCases: readonly ConformanceCase[] = [
  contractCase,
  nullMissesCase,
  nullAddCase,
  closeCase,
]

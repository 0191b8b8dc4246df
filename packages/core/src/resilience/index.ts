export { isTierFailure } from './failure.js'
export { type BreakerOptions, TIER_GUARD_DEFAULTS, type TierGuardOptions } from './options.js'
export {
  type BreakerListener,
  type BreakerState,
  TierGuard,
  type TierGuardStats,
} from './tier-guard.js'

import { InvalidOptionError } from '../errors.js'

/** Circuit breaker settings of a {@link TierGuard}; see `docs/resilience.md`. */
export interface BreakerOptions {
  /** Consecutive tier failures that open the circuit. A positive integer; default 5. */
  failureThreshold?: number
  /** Milliseconds the circuit stays open before one half-open probe is let through; default 5,000. */
  cooldown?: number
}

/** Options of a {@link TierGuard}. */
export interface TierGuardOptions {
  /**
   * Milliseconds each operation may take before it fails with `TimeoutError`;
   * `Infinity` disables the limit (and the timer). Default 1,000.
   */
  timeout?: number
  /** Circuit breaker settings, or `false` to never open the circuit. Default: enabled, with defaults. */
  breaker?: false | BreakerOptions
  /** Source of time for the breaker's cooldown, in epoch ms. Default `Date.now`. */
  clock?: () => number
}

/** The defaults a {@link TierGuard} applies to options left out. */
export const TIER_GUARD_DEFAULTS = Object.freeze({
  timeout: 1_000,
  failureThreshold: 5,
  cooldown: 5_000,
})

/** Options with defaults applied; a disabled breaker has an infinite threshold. */
export interface ResolvedTierGuardOptions {
  readonly timeout: number
  readonly failureThreshold: number
  readonly cooldown: number
  readonly clock: () => number
}

/** The longest delay `setTimeout` honours; longer ones fire after 1 ms. */
const MAX_TIMER_DELAY = 2_147_483_647

/** Applies defaults and rejects out-of-range values with an `InvalidOptionError` naming the option. */
export function resolveTierGuardOptions(
  tierName: string,
  options: TierGuardOptions,
): ResolvedTierGuardOptions {
  const { timeout = TIER_GUARD_DEFAULTS.timeout, breaker = {}, clock = Date.now } = options
  if (
    typeof timeout !== 'number' ||
    !(timeout > 0) ||
    (timeout > MAX_TIMER_DELAY && timeout !== Number.POSITIVE_INFINITY)
  ) {
    throw invalid(
      tierName,
      'timeout',
      `must be a number of ms in (0, ${MAX_TIMER_DELAY}] or Infinity`,
      timeout,
    )
  }
  if (typeof clock !== 'function') throw invalid(tierName, 'clock', 'must be a function', clock)
  if (breaker === false) {
    return { timeout, failureThreshold: Number.POSITIVE_INFINITY, cooldown: 0, clock }
  }
  const {
    failureThreshold = TIER_GUARD_DEFAULTS.failureThreshold,
    cooldown = TIER_GUARD_DEFAULTS.cooldown,
  } = breaker
  if (!Number.isSafeInteger(failureThreshold) || failureThreshold < 1) {
    throw invalid(tierName, 'breaker.failureThreshold', 'must be an integer >= 1', failureThreshold)
  }
  if (typeof cooldown !== 'number' || !Number.isFinite(cooldown) || cooldown < 0) {
    throw invalid(tierName, 'breaker.cooldown', 'must be a finite number of ms >= 0', cooldown)
  }
  return { timeout, failureThreshold, cooldown, clock }
}

function invalid(tierName: string, option: string, rule: string, value: unknown) {
  return new InvalidOptionError(
    option,
    `tier "${tierName}": ${option} ${rule}, got ${String(value)}`,
  )
}

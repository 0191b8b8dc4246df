import { sleep } from './time.js'

/**
 * A clock the suite moves by hand. Give the same clock to your store (as the time it
 * reads for expiry) and to {@link ConformanceOptions.clock}: the expiry cases then set the
 * time to the exact millisecond they check, so they are deterministic and take no time.
 *
 * @example
 * ```ts
 * const clock = manualClock()
 * runStoreConformance({ ...options, clock, createStore: () => myStore({ now: clock.now }) })
 * ```
 */
export interface ManualClock {
  /** The current time in epoch ms; a bound function, so `clock.now` can be passed on. */
  readonly now: () => number
  /** Moves the clock to `time` (never backwards: an earlier time is ignored). */
  readonly set: (time: number) => void
  /** Moves the clock `ms` forward. */
  readonly advance: (ms: number) => void
}

/**
 * A {@link ManualClock} starting at `start` (default: the real time now).
 *
 * @example
 * ```ts
 * const clock = manualClock(Date.UTC(2030, 0, 1))
 * clock.advance(1_000)
 * clock.now() // 1893456001000
 * ```
 */
export function manualClock(start: number = Date.now()): ManualClock {
  let time = start
  return {
    now: () => time,
    set: (next) => {
      time = Math.max(time, next)
    },
    advance: (ms) => {
      time += ms
    },
  }
}

/** The time as cases see it: the store's manual clock if it has one, else the real one. */
export interface SuiteTime {
  /** Whether the store reads a {@link ManualClock} the suite moves. */
  readonly manual: boolean
  /** Now, in epoch ms, as the store sees it. */
  readonly now: () => number
  /** Resolves once `now() >= time`: moves a manual clock there, else sleeps. */
  readonly until: (time: number) => Promise<void>
}

/** The {@link SuiteTime} of a store that reads `clock`, or the real clock. */
export function suiteTime(clock: ManualClock | undefined): SuiteTime {
  if (clock !== undefined) {
    return {
      manual: true,
      now: clock.now,
      until: async (time) => clock.set(time),
    }
  }
  return {
    manual: false,
    now: Date.now,
    until: async (time) => {
      // A timer may fire a millisecond early; wait until the clock has really reached it.
      while (Date.now() < time) await sleep(Math.max(1, time - Date.now()))
    },
  }
}

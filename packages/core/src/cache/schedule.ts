import type { Duration } from '../duration.js'

/** Options of {@link Cache.schedule}. */
export interface ScheduleOptions {
  /** How often to refresh. `0` (or less) disables the timer: the value loads on demand. */
  readonly every: Duration
  /** Fresh lifetime of each refreshed value. Default: two periods, so one missed refresh is harmless. */
  readonly ttl?: Duration
  /** Refresh as soon as the schedule starts. Default `true`. */
  readonly runImmediately?: boolean
  /** Up to this much random delay is added to each period, spreading processes. Default `0`. */
  readonly jitter?: Duration
  /** Tags stored with each refreshed value. */
  readonly tags?: readonly string[]
}

/** A refresh running on a schedule; see {@link Cache.schedule}. */
export interface ScheduledRefresh<T> {
  /** The cache key (without the cache prefix). */
  readonly key: string
  /**
   * Refreshes now. Resolves the value written, or `undefined` when another process
   * already refreshed this period (or the loader failed: see the cache's `error` events).
   */
  refresh(): Promise<T | undefined>
  /** The current value, loading it on demand when the cache has none. */
  get(): Promise<T>
  /** Stops the timer. Idempotent; `close()` on the cache stops every schedule. */
  stop(): void
}

/** Options of {@link Cache.reader}. */
export interface ReaderOptions {
  /** How often to pull the value from the shared tiers into the local tier. */
  readonly every: Duration
}

/** A periodic pull of one key from the shared tiers; see {@link Cache.reader}. */
export interface ScheduledReader<T> {
  readonly key: string
  /** The value as this process has it (local tier first). */
  get(): Promise<T | undefined>
  /** Pulls now. */
  pull(): Promise<void>
  stop(): void
}

/**
 * Runs `task` now (optionally) and then every `period` ms plus up to `jitter` ms, on an
 * unref'd timer, one run at a time. Returns the function that stops it.
 */
export function every(
  period: number,
  jitter: number,
  runImmediately: boolean,
  task: () => Promise<unknown>,
): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(run, period + Math.random() * jitter)
    timer.unref()
  }
  const run = () => {
    task().finally(schedule)
  }
  if (runImmediately) run()
  else schedule()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}

import type { Duration } from '../duration.js'
import { InvalidOptionError } from '../errors.js'
import { type OptionNames, readOptions } from '../store-kit/options.js'

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
  /** How often to pull the value from the shared tiers into the local tier. `0` (or less): never. */
  readonly every: Duration
  /** Pull as soon as the reader starts. Default `true`. */
  readonly runImmediately?: boolean
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

const SCHEDULE_OPTIONS: OptionNames<ScheduleOptions> = {
  every: true,
  ttl: true,
  runImmediately: true,
  jitter: true,
  tags: true,
}

const READER_OPTIONS: OptionNames<ReaderOptions> = { every: true, runImmediately: true }

/** Checks the options of `schedule()`; an unknown or ill-typed one throws `InvalidOptionError`. */
export function readScheduleOptions(options: ScheduleOptions): void {
  readOptions(options, SCHEDULE_OPTIONS, {
    factory: 'schedule',
    hint: 'schedule() needs { every }',
  })
  booleanOrDefault(options.runImmediately, 'runImmediately')
}

/**
 * Checks the options of `reader()`. A reader never writes, so it refuses the writing
 * options of `schedule()` (`ttl`, `tags`, `jitter`) with `InvalidOptionError` rather than
 * ignoring them.
 */
export function readReaderOptions(options: ReaderOptions): Required<ReaderOptions> {
  if (typeof options === 'object' && options !== null) {
    for (const writing of ['ttl', 'tags', 'jitter']) {
      if (Object.hasOwn(options, writing)) {
        throw new InvalidOptionError(
          writing,
          `reader() only pulls what a schedule() writes, so it takes no ${writing}: set it on the schedule()`,
        )
      }
    }
  }
  readOptions(options, READER_OPTIONS, { factory: 'reader', hint: 'reader() needs { every }' })
  return {
    every: options.every,
    runImmediately: booleanOrDefault(options.runImmediately, 'runImmediately'),
  }
}

function booleanOrDefault(value: unknown, option: string): boolean {
  if (value === undefined) return true
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(option, `${option} must be a boolean, got ${typeof value}`)
  }
  return value
}

/** The keys with a running schedule, per cache runtime. */
const scheduledKeys = new WeakMap<object, Set<string>>()

/**
 * Marks `key` as scheduled on `owner` (a cache's runtime) and returns the function that
 * releases it. A second schedule of a key that is still running throws
 * `InvalidOptionError` naming `key`: two timers would refresh it twice a period and one
 * `stop()` would leave the other running.
 */
export function claimScheduledKey(owner: object, key: string): () => void {
  const keys = scheduledKeys.get(owner) ?? new Set<string>()
  scheduledKeys.set(owner, keys)
  if (keys.has(key)) {
    throw new InvalidOptionError(
      'key',
      `key "${key}" is already scheduled on this cache; stop() that schedule before scheduling the key again`,
    )
  }
  keys.add(key)
  return () => keys.delete(key)
}

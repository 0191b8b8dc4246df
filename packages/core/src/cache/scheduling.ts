import { toMilliseconds } from '../duration.js'
import { InvalidOptionError } from '../errors.js'
import type { Cache } from './cache.js'
import { type GetOrSetOptions, type LoaderContext, validateTags } from './options.js'
import type { CacheRuntime } from './runtime.js'
import {
  claimScheduledKey,
  every,
  type ReaderOptions,
  readReaderOptions,
  readScheduleOptions,
  type ScheduledReader,
  type ScheduledRefresh,
  type ScheduleOptions,
} from './schedule.js'

/** Starts {@link Cache.schedule} of `key` (full key `fullKey`) on `cache`. */
export function startSchedule<T>(
  cache: Cache,
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  loader: (context: LoaderContext) => T | Promise<T>,
  options: ScheduleOptions,
): ScheduledRefresh<T> {
  if (typeof loader !== 'function')
    throw new InvalidOptionError('loader', 'schedule needs a loader function')
  readScheduleOptions(options)
  const period = toMilliseconds(options?.every, 'every')
  const jitter = toMilliseconds(options.jitter ?? 0, 'jitter')
  validateTags(options.tags)
  const loadOptions: GetOrSetOptions<T> = {
    ttl: options.ttl ?? (period > 0 ? period * 2 : rt.options.policy.ttl),
    ...(options.tags && { tags: options.tags }),
  }
  const refresh = async (): Promise<T | undefined> => {
    if (rt.closing !== undefined || !rt.enabled) return undefined
    if (period > 0 && !(await rt.claimPeriod(fullKey, period))) return undefined
    try {
      return await cache.getOrSet(key, loader, { ...loadOptions, forceFresh: true })
    } catch {
      return undefined // reported through the `error` event by the load itself
    }
  }
  const release = claimScheduledKey(rt, fullKey)
  const stopTimer =
    period > 0 ? every(period, jitter, options.runImmediately ?? true, refresh) : () => {}
  const stop = () => {
    stopTimer()
    release()
    rt.background.delete(stop)
  }
  rt.background.add(stop)
  return { key, refresh, get: () => cache.getOrSet(key, loader, loadOptions), stop }
}

/** Starts {@link Cache.reader} of `key` (full key `fullKey`) on `cache`. */
export function startReader<T>(
  cache: Cache,
  rt: CacheRuntime,
  key: string,
  fullKey: string,
  options: ReaderOptions,
): ScheduledReader<T> {
  const { runImmediately } = readReaderOptions(options)
  const period = toMilliseconds(options?.every, 'every')
  const pull = async (): Promise<void> => {
    if (rt.closing === undefined && rt.enabled) await rt.reads.readRemotes(fullKey, undefined)
  }
  const stopTimer = period > 0 ? every(period, 0, runImmediately, pull) : () => {}
  const stop = () => {
    stopTimer()
    rt.background.delete(stop)
  }
  rt.background.add(stop)
  return { key, get: () => cache.get<T>(key), pull, stop }
}

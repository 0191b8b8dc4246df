import type { CacheEntry } from '../entry.js'
import { ClosedError, TimeoutError } from '../errors.js'
import { loadChannel, traced } from '../tracing.js'
import { shouldRefreshEarly } from './early-refresh.js'
import { buildEntry, checkLoaded } from './entries.js'
import type { Flight } from './flights.js'
import { emitKey, type Fallback, miss, remoteHit, staleHit } from './hits.js'
import { LoadContext } from './load-context.js'
import type { GetOrSetOptions, LoaderContext, Policy } from './options.js'
import type { Found } from './reads.js'
import type { CacheRuntime } from './runtime.js'

/** One `getOrSet` call, as the loading steps pass it along. */
export interface LoadRequest<T> {
  readonly key: string
  readonly fullKey: string
  readonly loader: (context: LoaderContext) => T | Promise<T>
  readonly policy: Policy
  readonly options: GetOrSetOptions<T> | undefined
}

/**
 * The load pipeline behind `getOrSet` once the local tier could not answer fresh:
 * single-flight in this process, the remote tiers, stale-while-revalidate, grace and
 * its back-off, the distributed lock, the loader under soft and hard timeouts, and
 * caching the result unless a mutation of the key superseded the load meanwhile.
 */
export class LoadPipeline {
  readonly #rt: CacheRuntime

  constructor(runtime: CacheRuntime) {
    this.#rt = runtime
  }

  /**
   * Answers a request whose local lookup missed or found only `fallback` (stale): the
   * value itself when a stale one is served at once, else a promise of it. Not `async`:
   * a caller's promise follows its flight's answer one turn later, not three.
   */
  resolve<T>(request: LoadRequest<T>, fallback: Fallback | undefined): unknown {
    const { key, fullKey, policy, options } = request
    const rt = this.#rt
    if (rt.localStats && fallback === undefined && options?.tiers !== 'remote')
      rt.localStats.misses++
    if (fallback !== undefined && this.#withinRevalidation(fallback, policy)) {
      this.refreshInBackground(request, fallback)
      return staleHit(rt, key, fallback, false)
    }
    const flight = rt.flights.get(fullKey)
    // A superseded flight loads a value from before a write, delete or clear that has
    // since completed: a caller arriving after that change must not get its answer.
    if (flight !== undefined && !flight.superseded) {
      rt.stats.coalesced++
      return ownAnswer(flight)
    }
    return ownAnswer(
      rt.flights.start(fullKey, (started) => this.#load(request, fallback, started, false)),
    )
  }

  /** Work a fresh local hit may start in the background: early refresh, tag sync. */
  maintain<T>(request: LoadRequest<T>, entry: CacheEntry, now: number, freshUntil: number): void {
    const rt = this.#rt
    if (entry.tags.length > 0) rt.syncTagsLater(entry, request.fullKey, now)
    const beta = request.policy.beta
    if (beta > 0 && shouldRefreshEarly(now, freshUntil, entry.loadTime, beta)) {
      this.refreshInBackground(request, { entry, freshUntil, tier: -1 })
    }
  }

  refreshInBackground<T>(request: LoadRequest<T>, fallback: Fallback): void {
    const rt = this.#rt
    const running = rt.flights.get(request.fullKey)
    if ((running !== undefined && !running.superseded) || rt.closing !== undefined) return
    rt.stats.refreshes++
    const flight = rt.flights.start(request.fullKey, (started) =>
      this.#load(request, fallback, started, true),
    )
    // Nobody awaits a background refresh: its failure goes to events, not to the process'
    // unhandled-rejection handler. Callers joining it later get their own promise.
    flight.answer.catch(ignore)
  }

  /**
   * One loader run for a key: look in the remote tiers, respect the grace back-off and
   * the distributed lock, call the loader under the timeouts, cache the result. A fresh
   * remote hit is answered in the promise turn that decodes it.
   */
  #load<T>(
    request: LoadRequest<T>,
    fallback: Fallback | undefined,
    flight: Flight,
    background: boolean,
  ): Promise<unknown> {
    const { key, fullKey, options } = request
    const rt = this.#rt
    if (options?.forceFresh === true || options?.tiers === 'local' || rt.remotes.length === 0) {
      return this.#loadFound(request, undefined, fallback, flight, background)
    }
    return rt.reads.readRemotesThen(fullKey, options?.validate, (found) =>
      found !== undefined && rt.clock() < found.freshUntil
        ? remoteHit(rt, key, found)
        : this.#loadFound(request, found, fallback, flight, background),
    )
  }

  /** {@link #load} once the remote tiers answered `found`, which is not fresh. */
  async #loadFound<T>(
    request: LoadRequest<T>,
    found: Found | undefined,
    fallback: Fallback | undefined,
    flight: Flight,
    background: boolean,
  ): Promise<unknown> {
    const { key, fullKey, policy, options } = request
    const rt = this.#rt
    if (found !== undefined) {
      if (fallback === undefined || found.entry.createdAt > fallback.entry.createdAt)
        fallback = found
      if (!background && this.#withinRevalidation(fallback, policy)) {
        flight.resolve(staleHit(rt, key, fallback, false))
        rt.stats.refreshes++
        background = true
      }
    }
    if (!background) miss(rt, key)
    if (
      fallback &&
      rt.graceBackoff.isBackingOff(fullKey, rt.clock()) &&
      this.#withinGrace(fallback, policy)
    ) {
      return staleHit(rt, key, fallback, true)
    }
    this.#assertOpen()
    const lockKey = rt.internalKeys.lock(fullKey)
    let locked = false
    if (rt.lock !== undefined) {
      const waited = await this.#acquireLock(fullKey, lockKey, options)
      if (waited.found) return remoteHit(rt, key, waited.found)
      locked = waited.locked
    }
    try {
      return await this.#callLoader(request, fallback, flight, background)
    } finally {
      if (locked) {
        // A failed release is counted by the tier call; the lock expires by itself.
        await rt.lock?.release(lockKey).catch(() => undefined)
      }
    }
  }

  async #callLoader<T>(
    request: LoadRequest<T>,
    fallback: Fallback | undefined,
    flight: Flight,
    background: boolean,
  ): Promise<unknown> {
    const { key, fullKey, loader, policy, options } = request
    const rt = this.#rt
    const context = new LoadContext(key, fallback?.entry.value, options?.tags)
    const createdAt = rt.clock()
    const started = performance.now()
    rt.loads.add(context.controller)
    rt.stats.loads++
    const timers: NodeJS.Timeout[] = []
    if (fallback !== undefined && policy.softTimeout !== Number.POSITIVE_INFINITY && !background) {
      timers.push(
        unrefTimer(() => {
          flight.resolve(staleHit(rt, key, fallback, false))
          rt.stats.refreshes++
        }, policy.softTimeout),
      )
    }
    let value: T
    try {
      value = await this.#withHardTimeout(
        key,
        loader,
        context,
        policy.hardTimeout,
        timers,
        background,
      )
    } catch (error) {
      rt.stats.loadErrors++
      rt.reportError(key, undefined, 'load', error)
      this.#emitLoad(key, started, background, error)
      if (
        fallback !== undefined &&
        this.#withinGrace(fallback, policy) &&
        rt.closing === undefined
      ) {
        rt.graceBackoff.backOff(fullKey, rt.clock() + policy.graceBackoff, rt.clock())
        return staleHit(rt, key, fallback, true)
      }
      throw error
    } finally {
      for (const timer of timers) clearTimeout(timer)
      rt.loads.delete(context.controller)
      rt.stats.loadTime += performance.now() - started
    }
    const loadTime = performance.now() - started
    this.#emitLoad(key, started, background, undefined)
    rt.graceBackoff.clear(fullKey)
    checkLoaded(key, value)
    if (!context.skipped && !flight.superseded && (options?.cacheIf?.(value) ?? true)) {
      const overrides = { ttl: context.ttl, tags: context.tags }
      const entry = buildEntry(key, value, rt.clock(), policy, overrides, createdAt, loadTime)
      await rt.writes.writeLoaded(fullKey, entry, options?.tiers ?? 'all', flight)
      emitKey(rt, 'set', key)
    }
    return value
  }

  async #withHardTimeout<T>(
    key: string,
    loader: (context: LoaderContext) => T | Promise<T>,
    context: LoadContext,
    hardTimeout: number,
    timers: NodeJS.Timeout[],
    background: boolean,
  ): Promise<T> {
    const loading = traced(
      loadChannel,
      () => ({ cache: this.#rt.options.name, key, background }),
      async () => loader(context),
    )
    if (hardTimeout === Number.POSITIVE_INFINITY) return loading
    return new Promise<T>((resolve, reject) => {
      timers.push(
        unrefTimer(() => {
          const error = new TimeoutError(
            `the loader for key "${key}" did not finish within ${hardTimeout} ms`,
            hardTimeout,
            key,
          )
          context.controller.abort(error)
          reject(error)
        }, hardTimeout),
      )
      loading.then(resolve, reject)
    })
  }

  /**
   * Takes the distributed lock, or waits for its holder's value: re-reads the remote
   * tiers every `retryInterval` until a fresh value appears or the lock's timeout passes
   * (its holder crashed), then loads anyway.
   */
  async #acquireLock(
    fullKey: string,
    lockKey: string,
    options: GetOrSetOptions<never> | undefined,
  ): Promise<{ locked: boolean; found?: Found }> {
    const rt = this.#rt
    const lock = rt.lock as NonNullable<CacheRuntime['lock']>
    // Past one lock lifetime the holder has crashed and its lock has expired: keep trying
    // to take it (exactly one waiter will) for one more lifetime, then load regardless.
    const giveUpAt = rt.clock() + 2 * lock.timeout
    let counted = false
    for (;;) {
      let locked: boolean | undefined
      try {
        locked = await lock.acquire(lockKey, rt.clock())
      } catch {
        locked = undefined // strict mode: the failure is already counted and reported
      }
      if (locked === undefined) return { locked: false }
      if (locked) {
        // The previous holder may have written just before releasing.
        const found = await rt.reads.readRemotes(fullKey, options?.validate)
        if (found !== undefined && rt.clock() < found.freshUntil) {
          await lock.release(lockKey).catch(() => undefined)
          return { locked: false, found }
        }
        return { locked: true }
      }
      if (!counted) {
        rt.stats.lockWaits++
        counted = true
      }
      await sleep(lock.retryInterval)
      this.#assertOpen()
      const found = await rt.reads.readRemotes(fullKey, options?.validate)
      if (found !== undefined && rt.clock() < found.freshUntil) return { locked: false, found }
      if (rt.clock() >= giveUpAt) return { locked: false }
    }
  }

  #withinRevalidation(fallback: Fallback, policy: Policy): boolean {
    const now = this.#rt.clock()
    return (
      now < fallback.freshUntil + policy.staleWhileRevalidate && now < fallback.entry.staleUntil
    )
  }

  #withinGrace(fallback: Fallback, policy: Policy): boolean {
    const now = this.#rt.clock()
    return now < fallback.freshUntil + policy.grace && now < fallback.entry.staleUntil
  }

  #assertOpen(): void {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
  }

  #emitLoad(key: string, started: number, background: boolean, error: unknown): void {
    const events = this.#rt.events
    if (events.listening('load')) {
      events.emit('load', { key, duration: performance.now() - started, background, error })
    }
  }
}

function unrefTimer(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(callback, ms)
  timer.unref()
  return timer
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => unrefTimer(resolve, ms))
}

/**
 * A caller's own promise of `flight`'s answer. The answer is shared by every caller of the
 * flight (and a background refresh marks it handled); a caller who ignores a failed
 * `getOrSet` must still see an unhandled rejection, as with any other method.
 */
function ownAnswer(flight: Flight): Promise<unknown> {
  return flight.answer.then()
}

const ignore = (): void => undefined

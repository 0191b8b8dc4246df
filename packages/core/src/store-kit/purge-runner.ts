/**
 * Runs a store's purge of expired entries: one run at a time (calls during a run share
 * it), and optionally every `intervalMs` in the background on an unref'd timer that never
 * keeps the process alive. Background runs drop their errors (the next one retries);
 * {@link stop} ends the timer and waits for a run in flight.
 *
 * @example
 * ```ts
 * #purger = new PurgeRunner(() => this.#purge(), options.purgeIntervalMs)
 *
 * purgeExpired(): Promise<number> {
 *   return this.#purger.run()
 * }
 *
 * async close(): Promise<void> {
 *   await this.#purger.stop()
 * }
 * ```
 */
export class PurgeRunner {
  readonly #purge: () => Promise<number>
  readonly #timer: NodeJS.Timeout | undefined
  #running: Promise<number> | undefined
  #stopped = false

  /** `purge` resolves the number of entries it removed; no timer without `intervalMs`. */
  constructor(purge: () => Promise<number>, intervalMs?: number | undefined) {
    this.#purge = purge
    if (intervalMs !== undefined) {
      this.#timer = setInterval(() => this.runInBackground(), intervalMs)
      this.#timer.unref()
    }
  }

  /** Starts a run, or joins the one in flight; resolves what it removed. */
  run(): Promise<number> {
    this.#running ??= this.#purge().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  /** {@link run}, ignoring its outcome; nothing once stopped. */
  runInBackground(): void {
    if (!this.#stopped) this.run().catch(() => {})
  }

  /** Ends the background timer and waits for a run in flight (whatever its outcome). */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#running?.catch(() => {})
  }
}

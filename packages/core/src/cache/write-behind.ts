/**
 * The write-behind queue: remote writes run one at a time, in the order they were
 * queued (so two writes of one key land in order), while callers go on. A full queue
 * makes the next `push` wait, bounding memory.
 */
export class WriteBehindQueue {
  readonly #jobs: (() => Promise<void>)[] = []
  readonly #maxQueue: number
  readonly #onError: (error: unknown) => void
  #running: Promise<void> | undefined
  #spaceWaiters: (() => void)[] = []

  constructor(maxQueue: number, onError: (error: unknown) => void) {
    this.#maxQueue = maxQueue
    this.#onError = onError
  }

  get size(): number {
    return this.#jobs.length
  }

  /** Queues `job`; resolves once it is queued (not run). */
  async push(job: () => Promise<void>): Promise<void> {
    while (this.#jobs.length >= this.#maxQueue) {
      await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve))
    }
    this.#jobs.push(job)
    this.#running ??= this.#drain()
  }

  /** Resolves when every queued job has run. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running
  }

  async #drain(): Promise<void> {
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
      this.#spaceWaiters.shift()?.()
      try {
        await job()
      } catch (error) {
        this.#onError(error)
      }
    }
    this.#running = undefined
  }
}

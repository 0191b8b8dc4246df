/**
 * The write-behind queue: remote writes run one at a time, in the order they were
 * queued, while callers go on. A full queue makes the next `push` wait, bounding memory.
 *
 * A job takes its place in each tier's per-key order when it is *queued*, not when it
 * runs (see `TierOrder`): reads skip a tier whose copy of the key is still waiting
 * here, and a later delete or write of the key drops the queued job instead of being
 * undone by it.
 */
export class WriteBehindQueue {
  readonly #maxQueue: number
  readonly #onError: (error: unknown) => void
  #size = 0
  #tail: Promise<void> = Promise.resolve()
  #spaceWaiters: (() => void)[] = []

  constructor(maxQueue: number, onError: (error: unknown) => void) {
    this.#maxQueue = maxQueue
    this.#onError = onError
  }

  get size(): number {
    return this.#size
  }

  /**
   * Queues a job: `start` is called at once with the promise of its turn (the previous
   * job's end) and must take its places in the tiers' order synchronously. Resolves
   * once the job is queued (not run).
   */
  async push(start: (turn: Promise<void>) => Promise<void>): Promise<void> {
    while (this.#size >= this.#maxQueue) {
      await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve))
    }
    this.#size++
    const job = start(this.#tail)
      .catch((error) => this.#onError(error))
      .finally(() => {
        this.#size--
        this.#spaceWaiters.shift()?.()
      })
    this.#tail = job
  }

  /** Resolves when every queued job has run. */
  async flush(): Promise<void> {
    let tail: Promise<void>
    do {
      tail = this.#tail
      await tail
    } while (tail !== this.#tail)
  }
}

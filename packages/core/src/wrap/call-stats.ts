/**
 * Counters of one wrapped function or decorated method (all instances together).
 * Every settled call is exactly one of a hit, a miss or an error.
 *
 * @example
 * ```ts
 * const getUser = wrap(cache, fetchUser, { key: 'user:{0}' })
 * await getUser('1')
 * await getUser('1')
 * getUser.stats() // { hits: 1, misses: 1, errors: 0, loads: 1 }
 * ```
 */
export interface FunctionStats {
  /** Calls answered from the cache (a fresh value, or a stale one as the options allow). */
  readonly hits: number
  /** Calls answered by a run of the original during the call: their own, or one they shared. */
  readonly misses: number
  /** Calls that rejected or threw (a key that cannot be built, the original's error, ...). */
  readonly errors: number
  /** Runs of the original through the cache: for calls, `refresh`, and background refreshes. */
  readonly loads: number
}

/** The last load of a key: its value, and its place in the order of completed loads. */
interface LoadRecord {
  readonly value: unknown
  readonly seq: number
}

/**
 * Calls that began while this generation was the newest, and the loads that completed
 * meanwhile. A call needs the records of its own generation and newer ones, so a
 * generation is dropped once it and every older one have no call pending.
 */
interface Generation {
  pending: number
  readonly records: Map<string, LoadRecord>
}

/** Loads recorded per generation before a new one starts (bounds what one call can pin). */
const GENERATION_SIZE = 256

/**
 * Counts calls of one wrapped function. A call is a miss when it resolves with the value
 * the last load of its key produced while it waited; the engine's single-flight decides
 * who loads, so a call that joined another caller's load counts as a miss too.
 *
 * A call costs two counter updates and a `then`; load records are kept only while a
 * call that began before them is pending.
 */
export class CallStats {
  hits = 0
  misses = 0
  errors = 0
  loads = 0
  #completed = 0
  #pending = 0
  #current: Generation = { pending: 0, records: new Map() }
  /** Older generations still needed, oldest first. */
  readonly #older: Generation[] = []

  snapshot(): FunctionStats {
    return { hits: this.hits, misses: this.misses, errors: this.errors, loads: this.loads }
  }

  /**
   * Runs `ask` (which asks the cache for `key`) and classifies the call once its answer
   * settles; a synchronous throw of `ask` becomes a rejection.
   */
  track<T>(key: string, ask: () => Promise<T>): Promise<T> {
    const generation = this.#current
    const before = this.#completed
    generation.pending++
    this.#pending++
    let answer: Promise<T>
    try {
      answer = ask()
    } catch (error) {
      answer = Promise.reject(error)
    }
    return answer.then(
      (value) => {
        if (before !== this.#completed && this.#loadedDuring(key, value, before, generation)) {
          this.misses++
        } else {
          this.hits++
        }
        this.#release(generation)
        return value
      },
      (error: unknown) => {
        this.errors++
        this.#release(generation)
        throw error
      },
    )
  }

  /** Records a successful load of `key`, for the calls waiting meanwhile. */
  loaded(key: string, value: unknown): void {
    this.#completed++
    if (this.#pending === 0) return
    let generation = this.#current
    if (generation.records.size >= GENERATION_SIZE) {
      this.#older.push(generation)
      generation = { pending: 0, records: new Map() }
      this.#current = generation
    }
    generation.records.set(key, { value, seq: this.#completed })
  }

  /** Whether the last load of `key` completed after `before` and produced `value`. */
  #loadedDuring(key: string, value: unknown, before: number, since: Generation): boolean {
    let record = this.#current.records.get(key)
    for (let i = this.#older.length - 1; record === undefined && i >= 0; i--) {
      const generation = this.#older[i] as Generation
      record = generation.records.get(key)
      if (generation === since) break
    }
    return record !== undefined && record.seq > before && Object.is(record.value, value)
  }

  #release(generation: Generation): void {
    generation.pending--
    if (--this.#pending === 0) {
      this.#older.length = 0
      this.#current.records.clear()
      return
    }
    while (this.#older.length > 0 && (this.#older[0] as Generation).pending === 0) {
      this.#older.shift()
    }
  }
}

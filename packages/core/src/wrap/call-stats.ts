import type { Cache } from '../cache/cache.js'

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
  /** The stale value the load replaced (`undefined` when there was none). */
  readonly stale: unknown
  readonly seq: number
  /** From the cache's `load` event: no caller waited for it. `undefined` until that event. */
  background: boolean | undefined
  /**
   * How many calls had begun when the load's first caller got its answer: calls begun
   * later read the cache, they did not wait. `undefined` until then.
   */
  answeredAt: number | undefined
}

/**
 * Calls that began while this generation was the newest, and the loads that completed
 * meanwhile. A call needs the records of its own generation and newer ones, so a
 * generation is dropped once it and every older one have no call pending.
 */
interface Generation {
  pending: number
  /** By key, oldest first: loads of one key through several caches (namespaces) differ. */
  readonly records: Map<string, LoadRecord[]>
  size: number
}

/** Loads recorded per generation before a new one starts (bounds what one call can pin). */
const GENERATION_SIZE = 256

/**
 * Most caches listened to at once. A cache function may return a new facade per call
 * (`self.cache.namespace(self.tenant)`), each a subscription to the same events; past
 * this many, loads go without their event and fall back to comparing values.
 */
const MAX_LISTENED_CACHES = 16

/**
 * Counts calls of one wrapped function. A call is a miss when it resolves with the value
 * the last load of its key produced while it waited; the engine's single-flight decides
 * who loads, so a call that joined another caller's load counts as a miss too. A load
 * the cache ran in the background (stale-while-revalidate, early refresh) answers no
 * caller: its `load` event says so, and until that event a call answered with the very
 * value the load replaced counts as a hit (it got the stale value without waiting).
 *
 * A call costs two counter updates and a `then`; load records are kept, and the caches'
 * `load` events listened to, only while a call that began before them is pending.
 */
export class CallStats {
  hits = 0
  misses = 0
  errors = 0
  loads = 0
  #completed = 0
  #calls = 0
  #pending = 0
  #current: Generation = newGeneration()
  /** Older generations still needed, oldest first. */
  readonly #older: Generation[] = []
  /** The caches whose `load` events are listened to while calls are pending. */
  readonly #listening = new Map<Cache, () => void>()
  readonly #onLoad = (event: { key: string; background: boolean; error: unknown }): void => {
    if (event.error !== undefined) return
    // Events come in the order loads finish, right after each: the oldest record still
    // waiting for its event is this one.
    for (const generation of [...this.#older, this.#current]) {
      const record = generation.records.get(event.key)?.find((r) => r.background === undefined)
      if (record === undefined) continue
      record.background = event.background
      if (event.background) record.answeredAt ??= this.#calls
      return
    }
  }

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
    const call = ++this.#calls
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
        if (this.#hasRecords() && this.#waitedForLoad(key, value, before, call)) {
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

  /**
   * Records a successful load of `key` through `cache` that replaced `stale`, for the
   * calls waiting meanwhile.
   */
  loaded(cache: Cache, key: string, value: unknown, stale: unknown): void {
    this.#completed++
    if (this.#pending === 0) return
    let generation = this.#current
    if (generation.size >= GENERATION_SIZE) {
      this.#older.push(generation)
      generation = newGeneration()
      this.#current = generation
    }
    const record: LoadRecord = {
      value,
      stale,
      seq: this.#completed,
      background: undefined,
      answeredAt: undefined,
    }
    const records = generation.records.get(key)
    if (records === undefined) generation.records.set(key, [record])
    else records.push(record)
    generation.size++
    if (!this.#listening.has(cache) && this.#listening.size < MAX_LISTENED_CACHES) {
      this.#listening.set(cache, cache.on('load', this.#onLoad))
    }
  }

  #hasRecords(): boolean {
    return this.#current.size > 0 || this.#older.length > 0
  }

  /**
   * Whether call number `call`, begun when `before` loads had completed, got `value` from
   * a load it waited for: one that completed during the call, or before it but had not
   * answered its callers yet (the call joined it), and that was not a background load.
   */
  #waitedForLoad(key: string, value: unknown, before: number, call: number): boolean {
    const record = this.#latest(key, value)
    if (record === undefined) return false
    const joined = record.answeredAt === undefined || call <= record.answeredAt
    if (record.seq <= before && !joined) return false
    if (record.background === true) return false
    // Before its `load` event, a load that returned the stale value it replaced cannot
    // be told from that stale value served at once: count it as served.
    if (record.background === undefined && Object.is(record.stale, value)) return false
    record.answeredAt ??= this.#calls
    return true
  }

  /** The last load of `key` that produced `value`. */
  #latest(key: string, value: unknown): LoadRecord | undefined {
    const matches = (record: LoadRecord) => Object.is(record.value, value)
    let record = this.#current.records.get(key)?.findLast(matches)
    for (let i = this.#older.length - 1; record === undefined && i >= 0; i--) {
      record = (this.#older[i] as Generation).records.get(key)?.findLast(matches)
    }
    return record
  }

  #release(generation: Generation): void {
    generation.pending--
    if (--this.#pending === 0) {
      if (this.#hasRecords()) {
        this.#older.length = 0
        this.#current = newGeneration()
      }
      if (this.#listening.size > 0) {
        for (const stopListening of this.#listening.values()) stopListening()
        this.#listening.clear()
      }
      return
    }
    while (this.#older.length > 0 && (this.#older[0] as Generation).pending === 0) {
      this.#older.shift()
    }
  }
}

function newGeneration(): Generation {
  return { pending: 0, records: new Map(), size: 0 }
}

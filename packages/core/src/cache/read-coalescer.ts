import { InvalidOptionError } from '../errors.js'
import { isTierFailure } from '../resilience/failure.js'
import type { CompleteStore } from '../store-fallbacks.js'

/**
 * How a remote tier coalesces concurrent reads, resolved from the cache option
 * `coalesceReads`: `false` (off), or the window in microseconds during which reads
 * join one batch (`0`: the reads issued in the same tick, i.e. before the microtask
 * queue drains).
 */
export type ReadCoalescing = false | { readonly windowMicros: number }

/** Longest window `coalesceReads.windowMicros` accepts: a read never waits longer than this. */
export const MAX_COALESCE_WINDOW_MICROS = 1_000

type Bytes = Uint8Array | undefined

/** Runs one store call under the tier's timeout and breaker (`TierGuard.run`). */
export type StoreCallGuard = <T>(
  operation: string,
  key: string | undefined,
  call: () => Promise<T>,
) => Promise<T>

/** One distinct key's read: the promise its callers share, and how to settle it. */
interface Waiter {
  readonly promise: Promise<Bytes>
  readonly resolve: (bytes: Bytes) => void
  readonly reject: (error: unknown) => void
}

function newWaiter(): Waiter {
  let resolve!: Waiter['resolve']
  let reject!: Waiter['reject']
  const promise = new Promise<Bytes>((settle, fail) => {
    resolve = settle
    reject = fail
  })
  return { promise, resolve, reject }
}

/** Reads waiting to be sent together; one promise per distinct key, shared by its callers. */
interface Batch {
  readonly waiters: Map<string, Waiter>
  /** `process.hrtime.bigint()` when the batch opened, for windows above zero. */
  readonly openedAt: bigint
}

/**
 * Turns the single-key reads one remote store receives close together into batch reads:
 * the `read`s issued while a batch is open (the same tick by default, or a window of at
 * most {@link MAX_COALESCE_WINDOW_MICROS} µs) are sent as one `getMany` of the distinct
 * keys, and each caller gets the bytes of its own key. With same-tick batches the first
 * read of a tick is sent at once with `get` (a read without concurrency waits for
 * nothing) and the batch gathers the reads after it; a batch of one key is sent with
 * `get`. A batch reaching `maxBatchKeys` distinct keys is sent at once and the next read
 * opens a new one.
 *
 * Every store call goes through `guard` (the tier's timeout and breaker) once, so a batch
 * is one guarded call: when it fails, hangs past the timeout or is refused by an open
 * circuit, so does each of its members. A batch refused for a caller mistake
 * (`isTierFailure` false, e.g. one invalid key) is retried key by key, so that mistake
 * stays its own caller's.
 *
 * Ordering: a read only joins a batch that has not been sent yet, never one in flight,
 * so a read issued after a write of its key resolved is sent after that write.
 *
 * @example
 * ```ts
 * const reads = new ReadCoalescer(completeStore(store), { windowMicros: 0 }, 500)
 * // get('a') at once, then one getMany(['b', 'c']) for the rest of the tick
 * const [a, b, c] = await Promise.all([reads.read('a'), reads.read('b'), reads.read('c')])
 * ```
 */
export class ReadCoalescer {
  readonly #store: CompleteStore
  readonly #guard: StoreCallGuard
  readonly #windowNanos: bigint
  readonly #maxBatchKeys: number
  #open: Batch | undefined
  /** Same-tick coalescing only: the read sent alone this tick, which its key's callers share. */
  #solo: { readonly key: string; readonly read: Promise<Bytes> } | undefined
  readonly #endTick = (): void => {
    this.#solo = undefined
  }

  constructor(
    store: CompleteStore,
    setting: { readonly windowMicros: number },
    maxBatchKeys: number,
    guard: StoreCallGuard = (_operation, _key, call) => call(),
  ) {
    this.#guard = guard
    this.#store = store
    this.#windowNanos = BigInt(Math.round(setting.windowMicros * 1_000))
    this.#maxBatchKeys = maxBatchKeys
  }

  /** The bytes stored under `key`, read in the batch open now (or a new one). */
  read(key: string): Promise<Bytes> {
    // Same-tick coalescing: the first read of a tick goes out at once, so a read without
    // concurrency waits for nothing; the reads after it in the tick form one batch.
    if (this.#windowNanos === 0n) {
      const solo = this.#solo
      if (solo?.key === key) return solo.read
      if (solo === undefined && this.#open === undefined) {
        const read = this.#call('get', key, () => this.#store.get(key))
        this.#solo = { key, read }
        queueMicrotask(this.#endTick)
        return read
      }
    }
    let batch = this.#open
    if (batch === undefined) batch = this.#openBatch()
    let waiter = batch.waiters.get(key)
    if (waiter === undefined) {
      waiter = newWaiter()
      batch.waiters.set(key, waiter)
      if (batch.waiters.size >= this.#maxBatchKeys) this.#send(batch)
    }
    return waiter.promise
  }

  #openBatch(): Batch {
    const batch: Batch = {
      waiters: new Map(),
      openedAt: this.#windowNanos === 0n ? 0n : process.hrtime.bigint(),
    }
    this.#open = batch
    if (this.#windowNanos === 0n) queueMicrotask(() => this.#send(batch))
    else setImmediate(() => this.#sendAfterWindow(batch))
    return batch
  }

  /** Sends `batch` once its window has passed, checking at each event-loop turn. */
  #sendAfterWindow(batch: Batch): void {
    if (process.hrtime.bigint() - batch.openedAt < this.#windowNanos) {
      if (this.#open === batch) setImmediate(() => this.#sendAfterWindow(batch))
      return
    }
    this.#send(batch)
  }

  /** Closes `batch` to new reads and sends it; a batch already sent is left alone. */
  #send(batch: Batch): void {
    if (this.#open !== batch) return
    this.#open = undefined
    const { waiters } = batch
    if (waiters.size === 1) {
      const [key, waiter] = waiters.entries().next().value as [string, Waiter]
      this.#call('get', key, () => this.#store.get(key)).then(waiter.resolve, waiter.reject)
      return
    }
    const keys = [...waiters.keys()]
    this.#call('getMany', undefined, () => this.#store.getMany(keys)).then(
      (values) => {
        for (let i = 0; i < keys.length; i++) {
          ;(waiters.get(keys[i] as string) as Waiter).resolve(values[i])
        }
      },
      (error: unknown) => {
        if (isTierFailure(error)) {
          for (const waiter of waiters.values()) waiter.reject(error)
          return
        }
        // A caller mistake (one key the store refuses, say) is that key's alone: each
        // member is read on its own and gets its own answer or error.
        for (const [key, waiter] of waiters) {
          this.#call('get', key, () => this.#store.get(key)).then(waiter.resolve, waiter.reject)
        }
      },
    )
  }

  /** Runs a store call through the guard, a synchronous throw becoming a rejection. */
  #call<T>(operation: string, key: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return this.#guard(operation, key, call)
    } catch (error) {
      return Promise.reject(error)
    }
  }
}

/**
 * Validates the cache option `coalesceReads`: `true` or absent (same-tick batches),
 * `false`, or `{ windowMicros }` with a window from 0 to {@link MAX_COALESCE_WINDOW_MICROS}.
 */
export function resolveReadCoalescing(
  option: boolean | { readonly windowMicros?: number } | undefined,
): ReadCoalescing {
  if (option === undefined || option === true) return { windowMicros: 0 }
  if (option === false) return false
  if (typeof option !== 'object' || option === null) {
    throw new InvalidOptionError(
      'coalesceReads',
      `coalesceReads must be a boolean or { windowMicros }, got ${String(option)}`,
    )
  }
  for (const name of Object.keys(option)) {
    if (name !== 'windowMicros') {
      throw new InvalidOptionError(`coalesceReads.${name}`, `coalesceReads has no option "${name}"`)
    }
  }
  const windowMicros = option.windowMicros ?? 0
  if (
    typeof windowMicros !== 'number' ||
    !(windowMicros >= 0 && windowMicros <= MAX_COALESCE_WINDOW_MICROS)
  ) {
    throw new InvalidOptionError(
      'coalesceReads.windowMicros',
      `coalesceReads.windowMicros must be a number of µs from 0 to ${MAX_COALESCE_WINDOW_MICROS}, got ${String(windowMicros)}`,
    )
  }
  return { windowMicros }
}

/**
 * The largest batch a store takes: its `capabilities.maxBatchKeys`, or no limit. A value
 * that is not a positive integer is a broken store, reported with the store's name.
 */
export function maxBatchKeysOf(store: CompleteStore): number {
  const max = store.capabilities.maxBatchKeys
  if (max === undefined) return Number.POSITIVE_INFINITY
  if (!Number.isInteger(max) || max < 1) {
    throw new InvalidOptionError(
      'capabilities.maxBatchKeys',
      `store "${store.name}" declares capabilities.maxBatchKeys ${String(max)}; it must be a positive integer`,
    )
  }
  return max
}

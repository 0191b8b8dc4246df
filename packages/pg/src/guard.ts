import { StackError, StoreUnavailableError } from '@stack/core'
import { Deadlines } from '@stack/core/store-kit'

/** What {@link guard} can cancel: a postgres.js query. */
export interface Cancellable {
  cancel(): unknown
  /** postgres.js sets this while the query runs on a connection (sent, not yet answered). */
  readonly active?: boolean
}

/** Registers a query so that {@link guard} cancels it on timeout; returns it unchanged. */
export type Track = <Q extends Cancellable>(query: Q) => Q

/**
 * Runs `work` and rejects with `StoreUnavailableError` when it fails or takes longer than
 * `timeoutMs`, so a down or stuck server never hangs a caller. On timeout the queries
 * `work` tracked that are running are cancelled server-side. Queries not sent yet are left
 * alone: cancelling a query a connection is still opening for makes postgres.js 3.4 leak
 * that connection, and a long enough outage would leak the whole pool. Such a query runs
 * once the server answers again; its result is ignored.
 * @stack errors pass through unchanged.
 */
export function guard<T>(
  store: string,
  timeoutMs: number,
  work: (track: Track) => PromiseLike<T>,
  key?: string,
): Promise<T> {
  const tracked: Cancellable[] = []
  const track: Track = (query) => {
    tracked.push(query)
    return query
  }
  const deadlines = deadlinesFor(timeoutMs)
  return new Promise<T>((resolve, reject) => {
    const deadline = deadlines.start(() => {
      for (const query of tracked) cancelQuietly(query)
      reject(new StoreUnavailableError(store, `no answer within ${timeoutMs} ms`, undefined, key))
    })
    const fail = (error: unknown) => {
      if (deadlines.finish(deadline)) reject(asStoreError(store, error, key))
    }
    try {
      work(track).then((value) => {
        if (deadlines.finish(deadline)) resolve(value)
      }, fail)
    } catch (error) {
      fail(error)
    }
  })
}

/** @stack errors pass through; anything else becomes `StoreUnavailableError`. */
function asStoreError(store: string, error: unknown, key: string | undefined): StackError {
  if (StackError.isInstance(error)) return error
  return new StoreUnavailableError(store, describe(error), error, key)
}

/**
 * One deadline queue per timeout value, shared by every store and bus using it: a call
 * costs no timer of its own (see `Deadlines` in the store kit).
 */
const deadlinesByTimeout = new Map<number, Deadlines>()

function deadlinesFor(timeoutMs: number): Deadlines {
  let deadlines = deadlinesByTimeout.get(timeoutMs)
  if (deadlines === undefined) {
    deadlines = new Deadlines(timeoutMs)
    deadlinesByTimeout.set(timeoutMs, deadlines)
  }
  return deadlines
}

function cancelQuietly(query: Cancellable): void {
  if (query.active !== true) return
  try {
    const result = query.cancel()
    if (result instanceof Promise) result.catch(() => undefined)
  } catch {}
}

/** `CODE: message` for driver errors (`ECONNREFUSED`, SQLSTATE codes), else the message. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message
  }
  return String(error)
}

/**
 * The messages a test (the parent) and its worker processes exchange over Node's IPC
 * channel. Each worker builds one cache from a {@link WorkerConfig} and answers
 * {@link Request}s; it also sends {@link WorkerEvent}s on its own (loader calls,
 * circuit changes, bus reconnects...). Times are absolute epoch milliseconds with
 * sub-millisecond precision (see `clock.ts`), comparable across processes.
 */

/** Remote backends a worker can put under its memory tier, or use as its bus. */
export type Backend = 'redis' | 'postgres'

/** How a worker builds its cache; sent as JSON in `argv[2]`. */
export interface WorkerConfig {
  /** The worker's name in events and errors, e.g. `w1`. */
  readonly name: string
  readonly redisUrl?: string
  readonly postgresUrl?: string
  /** Remote tiers under the memory tier, fastest first. */
  readonly tiers: readonly Backend[]
  /** Invalidation bus; none when absent. */
  readonly bus?: Backend
  /**
   * Isolates one test in the shared servers: the cache prefix, the Redis key prefix, the
   * bus channel and the PostgreSQL table names derive from it. `[a-z0-9_]` only.
   */
  readonly scope: string
  /** Timeout of each store and bus call (the backends' own `timeout`). Default 1,000. */
  readonly storeTimeoutMs?: number
  /** The cache's `tierTimeout`. Default: core's. */
  readonly tierTimeoutMs?: number
  /** The cache's `circuitBreaker`. Default: core's. */
  readonly circuitBreaker?: { readonly failureThreshold: number; readonly cooldownMs: number }
  /** The cache's `distributedLock` (on the deepest tier with `add`). Default: off. */
  readonly distributedLock?: { readonly timeoutMs: number; readonly retryIntervalMs: number }
  readonly ttlMs?: number
  readonly graceMs?: number
  readonly graceBackoffMs?: number
  readonly hardTimeoutMs?: number
}

/**
 * What a loader does when `getOrSet` calls it.
 * - `counter`: reports a `loader-call` event, waits `delayMs`, returns `<worker>:<n>`.
 * - `truth`: reads the key's row from the `truth` table in PostgreSQL (the application's
 *   own database), as a real loader would.
 */
export type LoaderSpec =
  | { readonly kind: 'counter'; readonly delayMs?: number }
  | { readonly kind: 'truth' }

/** Where a key lives: in the root cache, or in a namespace of it. */
export interface KeyRef {
  readonly key: string
  readonly namespace?: string
}

/** Steady traffic a worker generates until told to stop; see {@link LoadReport}. */
export interface LoadSpec {
  /** Read with `getOrSet` and the `truth` loader (grace applies). */
  readonly loadedKeys: readonly string[]
  /** Read with `get` (written by the test with `set`). */
  readonly writtenKeys: readonly string[]
  /** Concurrent request loops. */
  readonly concurrency: number
  /** Pause between two requests of one loop. */
  readonly intervalMs: number
}

/** What a steady load saw. */
export interface LoadReport {
  readonly requests: number
  /** Requests that rejected (they should not: grace values exist). */
  readonly failures: number
  /** Up to 5 failure messages. */
  readonly failureSamples: readonly string[]
  /** Slowest request, and its start time. */
  readonly maxMs: number
  readonly maxAt: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Counters a worker reports. */
export interface WorkerStats {
  /** The cache's `stats()`. */
  readonly cache: Record<string, unknown>
  /** Loader calls made in this process. */
  readonly loaderCalls: number
  /** Bus messages delivered to this process (its own included). */
  readonly busMessages: number
  /** Times the bus reported a reconnect (`onReconnect`). */
  readonly busReconnects: number
}

/** Each operation's arguments and result. */
export interface Operations {
  ping: { args: {}; result: { pid: number } }
  get: { args: KeyRef & { readonly localOnly?: boolean }; result: unknown }
  set: {
    args: KeyRef & {
      readonly value: unknown
      readonly tags?: readonly string[]
      readonly ttlMs?: number
    }
    result: { resolvedAt: number }
  }
  delete: { args: KeyRef; result: { resolvedAt: number } }
  invalidateTags: {
    args: { readonly tags: readonly string[]; readonly namespace?: string }
    result: { resolvedAt: number }
  }
  clear: { args: { readonly namespace: string }; result: { resolvedAt: number } }
  getOrSet: {
    args: KeyRef & { readonly loader: LoaderSpec; readonly tags?: readonly string[] }
    result: unknown
  }
  /** `count` concurrent `getOrSet` calls of one key. */
  burst: {
    args: KeyRef & { readonly count: number; readonly loader: LoaderSpec }
    result: {
      readonly startedAt: number
      readonly values: readonly unknown[]
      readonly errors: readonly string[]
      readonly maxMs: number
    }
  }
  /** Arms a watch: this process notes when its memory tier stops serving `old` for the key. */
  watch: { args: KeyRef & { readonly old: unknown }; result: { watch: number } }
  /** Resolves when watch `watch` saw the change (rejects after `timeoutMs`). */
  awaitWatch: {
    args: { readonly watch: number; readonly timeoutMs: number }
    result: { changedAt: number }
  }
  /** Resolves once `count` bus messages in total were delivered to this process. */
  awaitBus: { args: { readonly count: number; readonly timeoutMs: number }; result: {} }
  /** `cache.schedule(key, counter loader, { every })`; each run reports a `refresh` event. */
  schedule: { args: { readonly key: string; readonly everyMs: number }; result: {} }
  /** `cache.reader(key, { every })`, polled locally every `pollMs`; reports `seen` events. */
  read: {
    args: { readonly key: string; readonly everyMs: number; readonly pollMs: number }
    result: {}
  }
  /** Stops schedules and readers. */
  stopBackground: { args: {}; result: {} }
  startLoad: { args: LoadSpec; result: {} }
  stopLoad: { args: {}; result: LoadReport }
  stats: { args: {}; result: WorkerStats }
  /** Closes the cache; the process then exits. */
  close: { args: {}; result: {} }
}

export type Operation = keyof Operations

/** A request from the parent. */
export type Request = {
  [K in Operation]: { readonly id: number; readonly op: K; readonly args: Operations[K]['args'] }
}[Operation]

/** A worker's answer to request `id`. */
export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string }

/** Something a worker reports on its own. */
export type WorkerEvent =
  | { readonly event: 'ready'; readonly at: number }
  | { readonly event: 'loader-call'; readonly key: string; readonly at: number }
  | {
      readonly event: 'circuit'
      readonly tier: string
      readonly state: string
      readonly previous: string
      readonly at: number
    }
  | { readonly event: 'bus-reconnect'; readonly at: number }
  /** A scheduled refresh ran its loader, at `at`. */
  | {
      readonly event: 'refresh'
      readonly key: string
      readonly value: string
      readonly at: number
    }
  /** A reader first saw `value` in its memory tier. */
  | { readonly event: 'seen'; readonly key: string; readonly value: unknown; readonly at: number }

export type WorkerMessage = Response | WorkerEvent

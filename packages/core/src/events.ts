import type { RecoveryEvent } from './cache/recovery.js'

/** Payloads of the events a cache emits, by event name. */
export interface CacheEvents {
  /** A read answered by `tier` (the tier's name); `stale` when it served a stale value. */
  hit: { key: string; tier: string; stale: boolean }
  /** A read no tier could answer. */
  miss: { key: string }
  set: { key: string }
  delete: { key: string }
  /** The local tier dropped `key` to make room or because it expired. */
  evict: { key: string; reason: string }
  /** A loader call finished: `duration` in ms, `background` when no caller waited for it. */
  load: { key: string; duration: number; background: boolean; error: unknown }
  /** A remote tier's circuit breaker changed state (`open`: the tier is being skipped). */
  circuit: {
    tier: string
    state: 'closed' | 'open' | 'half-open'
    previous: 'closed' | 'open' | 'half-open'
  }
  /** Tags were invalidated (`hard`) or expired. */
  tags: { tags: readonly string[]; hard: boolean }
  /**
   * A failed remote mutation fenced a key or prefix on a tier (reads skip the tier for
   * it), its repair succeeded, or the repair was dropped by `close()`. See docs/engine.md.
   */
  recovery: RecoveryEvent
  /**
   * A remote tier's backend is set up in a way that weakens the cache's guarantees (see
   * `StoreWarning`), e.g. `'evicts-live-keys'` for a Redis that may evict tag
   * timestamps. Emitted once per tier and warning, when the cache first uses tags.
   */
  setup: { tier: string; code: string; message: string }
  /** A tier, the codec, the bus or a loader failed; the operation may still have succeeded. */
  error: { key: string | undefined; tier: string | undefined; operation: string; error: unknown }
}

type Listener<T> = (payload: T) => void

/**
 * A small typed emitter. Emitting an event nobody listens to costs one property read,
 * so the hit path checks {@link listening} before building a payload.
 */
export class Emitter<Events extends object> {
  readonly #listeners: { [K in keyof Events]?: Listener<Events[K]>[] } = {}

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const list = this.#listeners[event]
    this.#listeners[event] = list === undefined ? [listener] : [...list, listener]
    return () => this.off(event, listener)
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const list = this.#listeners[event]?.filter((l) => l !== listener)
    this.#listeners[event] = list?.length ? list : undefined
  }

  /** Whether anyone listens to `event`. */
  listening(event: keyof Events): boolean {
    return this.#listeners[event] !== undefined
  }

  /** Calls every listener; a listener that throws does not stop the others or the caller. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.#listeners[event]
    if (list === undefined) return
    for (const listener of list) {
      try {
        listener(payload)
      } catch (error) {
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}

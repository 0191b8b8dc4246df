import { isDeepStrictEqual } from 'node:util'
import { now } from './clock.ts'

interface Watch {
  readonly read: () => Promise<unknown>
  readonly old: unknown
  changedAt: number | undefined
  readonly waiters: ((changedAt: number) => void)[]
}

/**
 * Notes when this process stops serving an old value. A watch reads the key from the
 * memory tier right after every bus message the cache handled (the only moments it can
 * change without a read of this process) and, as a fallback, every millisecond; the time
 * of the first read that did not return the old value is the watch's `changedAt`.
 */
export class Watches {
  readonly #watches = new Map<number, Watch>()
  #next = 1
  #timer: NodeJS.Timeout | undefined

  /** Starts watching; `read` returns what the memory tier serves now. */
  arm(read: () => Promise<unknown>, old: unknown): number {
    const id = this.#next++
    this.#watches.set(id, { read, old, changedAt: undefined, waiters: [] })
    this.#timer ??= setInterval(() => this.check(), 1)
    this.check()
    return id
  }

  /** Resolves the watch's `changedAt`; rejects after `timeoutMs`. The watch is then dropped. */
  async wait(id: number, timeoutMs: number): Promise<number> {
    const watch = this.#watches.get(id)
    if (watch === undefined) throw new Error(`no watch ${id}`)
    try {
      if (watch.changedAt !== undefined) return watch.changedAt
      return await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`watch ${id}: still serving the old value after ${timeoutMs} ms`)),
          timeoutMs,
        )
        watch.waiters.push((changedAt) => {
          clearTimeout(timer)
          resolve(changedAt)
        })
      })
    } finally {
      this.#watches.delete(id)
      if (this.#watches.size === 0) {
        clearInterval(this.#timer)
        this.#timer = undefined
      }
    }
  }

  /** Reads every pending watch once. */
  check(): void {
    for (const watch of this.#watches.values()) {
      if (watch.changedAt !== undefined) continue
      const at = now()
      watch.read().then(
        (value) => {
          if (watch.changedAt !== undefined || isDeepStrictEqual(value, watch.old)) return
          watch.changedAt = at
          for (const wake of watch.waiters) wake(at)
        },
        () => undefined,
      )
    }
  }
}

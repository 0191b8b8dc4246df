/**
 * Where a cache writes what an operator should know: a circuit opening or closing, the
 * bus losing messages, keys fenced after failed writes, a tier failing. `console` and
 * pino loggers fit as they are. Each call passes one message string and, where there is
 * one, an object of fields.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 *
 * const cache = createCache({ tiers: [memory()], logger: console })
 * ```
 */
export interface CacheLogger {
  debug?(message: string, fields?: Record<string, unknown>): void
  info?(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** One line per subject at most this often; the lines skipped meanwhile are counted. */
const RATE_LIMIT_MS = 10_000
/** Subjects remembered for rate limiting at most (tiers × operations, in practice a few). */
const MAX_SUBJECTS = 1_000

interface Subject {
  loggedAt: number
  skipped: number
}

/**
 * The cache's logger, rate-limited per subject (a tier and an operation, a circuit):
 * state changes and failures are logged, never one line per request.
 */
export class CacheLog {
  readonly #logger: CacheLogger | undefined
  readonly #prefix: string
  readonly #subjects = new Map<string, Subject>()

  constructor(logger: CacheLogger | undefined, cacheName: string) {
    this.#logger = logger
    this.#prefix = `@stack/core cache "${cacheName}": `
  }

  get enabled(): boolean {
    return this.#logger !== undefined
  }

  /**
   * Logs `message` at `level` unless `subject` was logged within the last 10 s; the
   * next line of that subject says how many were skipped.
   */
  log(
    level: 'debug' | 'info' | 'warn' | 'error',
    subject: string,
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    const logger = this.#logger
    if (logger === undefined) return
    const now = Date.now()
    const seen = this.#subjects.get(subject)
    if (seen !== undefined && now - seen.loggedAt < RATE_LIMIT_MS) {
      seen.skipped++
      return
    }
    const skipped = seen?.skipped ?? 0
    if (seen === undefined && this.#subjects.size >= MAX_SUBJECTS) this.#subjects.clear()
    this.#subjects.set(subject, { loggedAt: now, skipped: 0 })
    const text =
      this.#prefix + message + (skipped > 0 ? ` (${skipped} similar since the last line)` : '')
    const write = logger[level] ?? (level === 'debug' ? undefined : logger.warn)
    try {
      if (fields === undefined) write?.call(logger, text)
      else write?.call(logger, text, fields)
    } catch {
      // A failing logger must not fail the cache.
    }
  }
}

/** Whether `value` can serve as a {@link CacheLogger}. */
export function isLogger(value: unknown): value is CacheLogger {
  const logger = value as Partial<CacheLogger> | null
  return typeof logger?.warn === 'function' && typeof logger.error === 'function'
}

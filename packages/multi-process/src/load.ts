import { setTimeout as sleep } from 'node:timers/promises'
import type { Cache, LoaderContext } from '@stack/core'
import { now } from './clock.ts'
import { percentile } from './percentiles.ts'
import type { LoadReport, LoadSpec } from './protocol.ts'

/**
 * Steady traffic from one worker: `concurrency` loops, each reading a random key (a
 * `getOrSet` of a loaded key or a `get` of a written one) and pausing `intervalMs`,
 * recording every request's latency and failure.
 */
export class SteadyLoad {
  readonly #cache: Cache
  readonly #spec: LoadSpec
  readonly #loader: (context: LoaderContext) => Promise<unknown>
  readonly #latencies: number[] = []
  readonly #failureSamples: string[] = []
  #failures = 0
  #maxMs = 0
  #maxAt = 0
  #running = true
  readonly #loops: Promise<void>[]

  constructor(cache: Cache, spec: LoadSpec, loader: (context: LoaderContext) => Promise<unknown>) {
    this.#cache = cache
    this.#spec = spec
    this.#loader = loader
    this.#loops = Array.from({ length: spec.concurrency }, () => this.#loop())
  }

  async stop(): Promise<LoadReport> {
    this.#running = false
    await Promise.all(this.#loops)
    return {
      requests: this.#latencies.length,
      failures: this.#failures,
      failureSamples: this.#failureSamples,
      maxMs: this.#maxMs,
      maxAt: this.#maxAt,
      p50Ms: percentile(this.#latencies, 50),
      p99Ms: percentile(this.#latencies, 99),
    }
  }

  async #loop(): Promise<void> {
    const { loadedKeys, writtenKeys, intervalMs } = this.#spec
    const keys = [...loadedKeys, ...writtenKeys]
    while (this.#running) {
      const index = Math.floor(Math.random() * keys.length)
      const key = keys[index] as string
      const started = now()
      try {
        if (index < loadedKeys.length) await this.#cache.getOrSet(key, this.#loader)
        else await this.#cache.get(key)
      } catch (error) {
        this.#failures++
        if (this.#failureSamples.length < 5) this.#failureSamples.push(`${key}: ${String(error)}`)
      }
      const ms = now() - started
      this.#latencies.push(ms)
      if (ms > this.#maxMs) {
        this.#maxMs = ms
        this.#maxAt = started
      }
      await sleep(intervalMs)
    }
  }
}

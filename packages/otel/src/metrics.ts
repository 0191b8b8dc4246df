import type {
  Attributes,
  BatchObservableResult,
  Histogram,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api'
import { type Cache, type CacheEvents, type CacheStats, InvalidOptionError } from '@stack/core'
import {
  ATTR_CACHE_NAME,
  ATTR_CIRCUIT_STATE,
  ATTR_ERROR_TYPE,
  ATTR_LOAD_BACKGROUND,
  ATTR_LOAD_OUTCOME,
  ATTR_RESULT,
  ATTR_TIER,
  errorType,
} from './attributes.js'

type CircuitState = CacheEvents['circuit']['state']
const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half-open']

/** One observed cache: its stats are read at each collection. */
interface Observed {
  readonly cache: Cache
  /** Each tier's last breaker state, from `circuit` events (absent: closed). */
  readonly circuits: Map<string, CircuitState>
  readonly unsubscribe: () => void
}

/**
 * The instruments, created once per meter. Counters are observable instruments read
 * from `cache.stats()` when the SDK collects (nothing is counted twice, nothing costs on
 * the hit path); the load-duration histogram is fed by the cache's `load` events.
 */
export class CacheMetrics {
  readonly #observed = new Map<string, Observed>()
  readonly #requests: ObservableCounter
  readonly #tierRequests: ObservableCounter
  readonly #errors: ObservableCounter
  readonly #tierErrors: ObservableCounter
  readonly #loads: ObservableCounter
  readonly #loadTime: ObservableCounter
  readonly #writes: ObservableCounter
  readonly #deletes: ObservableCounter
  readonly #refreshes: ObservableCounter
  readonly #coalesced: ObservableCounter
  readonly #lockWaits: ObservableCounter
  readonly #circuit: ObservableGauge
  readonly #loadDuration: Histogram
  readonly #meter: Meter
  readonly #callback = (result: BatchObservableResult) => this.#collect(result)
  readonly #instruments: Observable[]

  constructor(meter: Meter) {
    this.#meter = meter
    const counter = (name: string, unit: string, description: string) =>
      meter.createObservableCounter(name, { unit, description })
    this.#requests = counter(
      'stack.cache.requests',
      '{request}',
      'Reads by result: hit (fresh), stale_hit (stale-while-revalidate, soft timeout), grace_hit (stale because the loader or tiers failed), miss.',
    )
    this.#tierRequests = counter(
      'stack.cache.tier.requests',
      '{request}',
      'Reads each tier answered (hit, stale_hit) or could not answer (miss).',
    )
    this.#errors = counter('stack.cache.errors', '{error}', 'Errors of any kind, tiers included.')
    this.#tierErrors = counter(
      'stack.cache.tier.errors',
      '{error}',
      'Failed tier operations: unreachable backend, timeout, open circuit, undecodable entry.',
    )
    this.#loads = counter('stack.cache.loads', '{load}', 'Loader calls, by outcome.')
    this.#loadTime = counter('stack.cache.load.time', 's', 'Total time spent in loaders.')
    this.#writes = counter('stack.cache.sets', '{set}', 'Values stored (`sets` in stats()).')
    this.#deletes = counter('stack.cache.deletes', '{delete}', 'Keys deleted.')
    this.#refreshes = counter(
      'stack.cache.refreshes',
      '{refresh}',
      'Background refreshes started (stale-while-revalidate, early refresh, soft timeout).',
    )
    this.#coalesced = counter(
      'stack.cache.coalesced',
      '{request}',
      'getOrSet callers that joined another caller’s loader instead of calling their own.',
    )
    this.#lockWaits = counter(
      'stack.cache.lock.waits',
      '{wait}',
      'getOrSet calls that waited for another process’ distributed lock.',
    )
    this.#circuit = meter.createObservableGauge('stack.cache.tier.circuit.state', {
      unit: '1',
      description:
        'Circuit breaker state of each tier: 1 for the current state (closed, open, half_open), 0 for the others. Tiers without a breaker report closed.',
    })
    this.#loadDuration = meter.createHistogram('stack.cache.load.duration', {
      unit: 's',
      description: 'Duration of loader calls.',
      advice: {
        explicitBucketBoundaries: [
          0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
        ],
      },
    })
    this.#instruments = [
      this.#requests,
      this.#tierRequests,
      this.#errors,
      this.#tierErrors,
      this.#loads,
      this.#loadTime,
      this.#writes,
      this.#deletes,
      this.#refreshes,
      this.#coalesced,
      this.#lockWaits,
      this.#circuit,
    ]
  }

  /** Starts reporting `cache`; returns a function that stops. Names must be unique. */
  observe(cache: Cache): () => void {
    const name = cache.name
    if (this.#observed.has(name)) {
      throw new InvalidOptionError(
        'name',
        `a cache named '${name}' is already observed: give each cache a distinct \`name\` so their metrics do not mix`,
      )
    }
    const circuits = new Map<string, CircuitState>()
    const offCircuit = cache.on('circuit', ({ tier, state }) => circuits.set(tier, state))
    const offLoad = cache.on('load', (event) => this.#recordLoad(name, event))
    if (this.#observed.size === 0) {
      this.#meter.addBatchObservableCallback(this.#callback, this.#instruments)
    }
    this.#observed.set(name, {
      cache,
      circuits,
      unsubscribe: () => {
        offCircuit()
        offLoad()
      },
    })
    return () => this.#forget(name, cache)
  }

  /** Stops reporting every cache. */
  shutdown(): void {
    for (const [name, { cache }] of [...this.#observed]) this.#forget(name, cache)
  }

  #forget(name: string, cache: Cache): void {
    const observed = this.#observed.get(name)
    if (observed?.cache !== cache) return
    observed.unsubscribe()
    this.#observed.delete(name)
    if (this.#observed.size === 0) {
      this.#meter.removeBatchObservableCallback(this.#callback, this.#instruments)
    }
  }

  #recordLoad(name: string, { duration, background, error }: CacheEvents['load']): void {
    const attributes: Attributes = { [ATTR_CACHE_NAME]: name, [ATTR_LOAD_BACKGROUND]: background }
    if (error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(error)
    this.#loadDuration.record(duration / 1000, attributes)
  }

  #collect(result: BatchObservableResult): void {
    for (const [name, { cache, circuits }] of this.#observed) {
      const stats = cache.stats()
      this.#observeCache(result, name, stats)
      for (const tier of stats.tiers) {
        const base = { [ATTR_CACHE_NAME]: name, [ATTR_TIER]: tier.name }
        result.observe(this.#tierRequests, tier.hits, { ...base, [ATTR_RESULT]: 'hit' })
        result.observe(this.#tierRequests, tier.staleHits, { ...base, [ATTR_RESULT]: 'stale_hit' })
        result.observe(this.#tierRequests, tier.misses, { ...base, [ATTR_RESULT]: 'miss' })
        result.observe(this.#tierErrors, tier.errors, base)
        const current = circuits.get(tier.name) ?? 'closed'
        for (const state of CIRCUIT_STATES) {
          result.observe(this.#circuit, state === current ? 1 : 0, {
            ...base,
            [ATTR_CIRCUIT_STATE]: state.replace('-', '_'),
          })
        }
      }
    }
  }

  #observeCache(result: BatchObservableResult, name: string, stats: CacheStats): void {
    const base = { [ATTR_CACHE_NAME]: name }
    result.observe(this.#requests, stats.hits, { ...base, [ATTR_RESULT]: 'hit' })
    result.observe(this.#requests, stats.staleHits, { ...base, [ATTR_RESULT]: 'stale_hit' })
    result.observe(this.#requests, stats.graceHits, { ...base, [ATTR_RESULT]: 'grace_hit' })
    result.observe(this.#requests, stats.misses, { ...base, [ATTR_RESULT]: 'miss' })
    result.observe(this.#errors, stats.errors, base)
    const failed = stats.loadErrors
    result.observe(this.#loads, stats.loads - failed, { ...base, [ATTR_LOAD_OUTCOME]: 'success' })
    result.observe(this.#loads, failed, { ...base, [ATTR_LOAD_OUTCOME]: 'error' })
    result.observe(this.#loadTime, stats.loadTime / 1000, base)
    result.observe(this.#writes, stats.sets, base)
    result.observe(this.#deletes, stats.deletes, base)
    result.observe(this.#refreshes, stats.refreshes, base)
    result.observe(this.#coalesced, stats.coalesced, base)
    result.observe(this.#lockWaits, stats.lockWaits, base)
  }
}

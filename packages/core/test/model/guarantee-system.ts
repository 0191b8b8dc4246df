import {
  type Cache,
  type CacheEntry,
  type CacheOptions,
  createCache,
  memory,
  memoryStore,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { type FaultStore, faultStore } from '../support/fault-store.js'
import { faultPolicy, TickClock } from './fault-profiles.js'
import type { GuaranteeConfig, Namespace } from './guarantee-commands.js'

/**
 * Real ms a tier call may take before it counts as failed: each hung call costs this
 * much. Without faults the default applies, so a loaded machine cannot cause misses.
 */
const FAULTY_TIER_TIMEOUT = 5

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown }

/**
 * The engine a guarantee-model run drives: one cache over 0-1 memory tier and 1-2
 * fault stores, a fake clock moved 1 ms per command (tag invalidation compares
 * `createdAt`), and the tick clock the fault delays count.
 */
export class GuaranteeSystem {
  readonly clock = fakeClock()
  readonly ticks = new TickClock()
  readonly stores: readonly FaultStore[]
  readonly cache: Cache

  constructor(readonly config: GuaranteeConfig) {
    this.stores = Array.from({ length: config.remotes }, (_, i) => {
      const store = faultStore(memoryStore({ clock: this.clock.now }), {
        seed: config.faultSeed + i,
        sleep: this.ticks.sleep,
        name: `remote${i}`,
      })
      store.setPolicy(faultPolicy(config.profile, config.faultSeed * 31 + i, store))
      return store
    })
    const local = config.local ? [memory<CacheEntry>({ clock: this.clock.now })] : []
    const options: CacheOptions = {
      tiers: [...local, ...this.stores],
      clock: this.clock.now,
      ttl: '1h',
      ...(config.profile !== 'none' && { tierTimeout: FAULTY_TIER_TIMEOUT }),
      circuitBreaker: false,
      ...(config.writeBehind && { writePolicy: 'write-behind' as const }),
    }
    this.cache = createCache(options)
  }

  view(ns: Namespace): Cache {
    return ns === '' ? this.cache : this.cache.namespace(ns)
  }

  /**
   * Awaits `call` while advancing the tick clock one tick per event-loop turn, so slow
   * and late store calls land while the cache waits, deterministically per seed.
   */
  async drive<T>(call: () => Promise<T>): Promise<Outcome<T>> {
    let done = false
    const outcome = call().then(
      (value): Outcome<T> => ({ ok: true, value }),
      (error: unknown): Outcome<T> => ({ ok: false, error }),
    )
    void outcome.then(() => (done = true))
    while (!done) await this.turn()
    return outcome
  }

  /** One tick and one event-loop turn. */
  async turn(): Promise<void> {
    this.ticks.advance()
    await new Promise((resolve) => setImmediate(resolve))
  }

  async release(): Promise<void> {
    await Promise.all(this.stores.map((store) => store.release()))
  }

  async close(): Promise<void> {
    for (const store of this.stores) store.heal()
    await this.release()
    await this.drive(() => this.cache.close())
  }
}

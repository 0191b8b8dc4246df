/**
 * Single-flight and invalidation under concurrency: a cold-key stampede, a
 * stale-while-revalidate stampede, and fast-check scheduler runs of getOrSet and get
 * racing a delete, with every store call and loader answer landing in orders the
 * scheduler picks.
 *
 * Reproduce a scheduler failure: fast-check prints `{ seed, path }` and the order the
 * tasks ran in; run with `FC_SEED=<seed> FC_PATH=<path> npx vitest run test/model`.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  type Cache,
  type CacheEntry,
  createCache,
  EnvelopeCodec,
  type MemoryTier,
  memory,
  memoryStore,
  type RemoteStore,
  structuredSerializer,
  type Tier,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { scheduledStore } from './scheduled-store.js'
import { settle } from './system.js'

const SEED = Number(process.env.FC_SEED ?? 20_240_611)
/** Scheduler runs are cheap (~0.3 ms each); races need many interleavings to show up. */
const NUM_RUNS = Number(process.env.FC_RUNS ?? 1_000)
const replay = process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

describe('single-flight under concurrency', () => {
  test('1,000 concurrent getOrSet on a cold key over memory -> memoryStore call the loader once', async () => {
    const local = memory<CacheEntry>()
    const remote = memoryStore()
    const cache = createCache({ tiers: [local, remote] })
    let calls = 0
    const loader = async () => {
      calls++
      await settle()
      return 'loaded'
    }
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () => cache.getOrSet('cold', loader)),
    )
    expect(calls).toBe(1)
    expect(new Set(results)).toEqual(new Set(['loaded']))
    expect(local.peek('#cold')?.value).toBe('loaded')
    expect(await remote.get('#cold')).toBeDefined()
    expect(cache.stats()).toMatchObject({ loads: 1, coalesced: 999 })
  })

  const tierLayouts = {
    'memory -> memoryStore': (now: () => number) => [
      memory({ clock: now }),
      memoryStore({ clock: now }),
    ],
    'memoryStore only': (now: () => number) => [memoryStore({ clock: now })],
    'memory only': (now: () => number) => [memory({ clock: now })],
  }
  test.each(Object.keys(tierLayouts) as (keyof typeof tierLayouts)[])(
    'SWR: 200 concurrent callers on a stale key get the stale value and refresh once (%s)',
    async (layout) => {
      const clock = fakeClock()
      const cache = createCache({
        tiers: tierLayouts[layout](clock.now),
        clock: clock.now,
        ttl: '10s',
        staleWhileRevalidate: '1m',
      })
      await cache.set('k', 'stale')
      clock.advance(10_000) // exactly at freshUntil: stale from here on
      const gate = deferred<string>()
      let calls = 0
      const loader = () => {
        calls++
        return gate.promise
      }
      const results = await Promise.all(
        Array.from({ length: 200 }, () => cache.getOrSet('k', loader)),
      )
      expect(new Set(results)).toEqual(new Set(['stale']))
      await settle() // the refresh may read the remote tiers before it calls the loader
      expect(calls).toBe(1)
      gate.resolve('refreshed')
      await settle()
      expect(await cache.getOrSet('k', loader)).toBe('refreshed')
      expect(calls).toBe(1)
      expect(cache.stats()).toMatchObject({ refreshes: 1 })
    },
  )
})

/** Which tiers hold the key before the race starts. */
type Seeded = 'none' | 'deepest' | 'all'
/** The invalidating call the readers race: `set` writes WRITTEN, `clear` empties the cache. */
type Writer = 'delete' | 'set' | 'clear'

interface RaceConfig {
  readonly local: boolean
  readonly remotes: 1 | 2
  readonly seeded: Seeded
  readonly readers: readonly ('get' | 'getOrSet')[]
  readonly writer: Writer
}

const raceConfig: fc.Arbitrary<RaceConfig> = fc.record({
  local: fc.boolean(),
  remotes: fc.constantFrom(1 as const, 2 as const),
  seeded: fc.constantFrom<Seeded>('none', 'deepest', 'all'),
  readers: fc.array(fc.constantFrom('get' as const, 'getOrSet' as const), {
    minLength: 1,
    maxLength: 3,
  }),
  writer: fc.constantFrom<Writer>('delete', 'set', 'clear'),
})

const SEEDED = 'seeded'
const WRITTEN = 'written'
const codec = new EnvelopeCodec({
  serializer: structuredSerializer,
  compressThreshold: Number.POSITIVE_INFINITY,
})

/**
 * One race: readers and one writer start at scheduler-chosen moments; every store call
 * and loader answer lands when the scheduler says. Once the writer resolved, the only
 * values that may be cached or answered are what it wrote and what loaders that started
 * after it was called returned: anything else was read or loaded before it.
 */
class Race {
  readonly local: MemoryTier<CacheEntry> | undefined
  readonly stores: readonly RemoteStore[]
  readonly cache: Cache
  /** Values allowed once the writer resolved. */
  readonly allowed = new Set<string>()
  #writerCalled = false
  #loads = 0

  constructor(
    readonly config: RaceConfig,
    readonly scheduler: fc.Scheduler,
  ) {
    this.local = config.local ? memory<CacheEntry>() : undefined
    this.stores = Array.from({ length: config.remotes }, (_, i) => memoryStore({ name: `r${i}` }))
    const remotes = this.stores.map((store) => scheduledStore(store, scheduler))
    this.cache = createCache({ tiers: this.local ? [this.local, ...remotes] : remotes })
    if (config.writer === 'set') this.allowed.add(WRITTEN)
  }

  async seed(): Promise<void> {
    const { seeded } = this.config
    if (seeded === 'none') return
    const stores = seeded === 'deepest' ? this.stores.slice(-1) : this.stores
    const tiers: Tier[] = seeded === 'all' && this.local ? [this.local, ...stores] : [...stores]
    await createCache({ tiers }).set('k', SEEDED)
  }

  loader = (): Promise<string> => {
    const value = `load-${++this.#loads}`
    if (this.#writerCalled) this.allowed.add(value)
    return this.scheduler.schedule(Promise.resolve(value), `loader answers ${value}`)
  }

  read(kind: 'get' | 'getOrSet'): Promise<unknown> {
    return kind === 'get' ? this.cache.get('k') : this.cache.getOrSet('k', this.loader)
  }

  write(): Promise<void> {
    this.#writerCalled = true
    const { writer } = this.config
    if (writer === 'set') return this.cache.set('k', WRITTEN)
    if (writer === 'clear') return this.cache.clear()
    return this.cache.delete('k').then(() => undefined)
  }

  /** The value each tier holds once everything settled. */
  async held(): Promise<unknown[]> {
    const remote = await Promise.all(
      this.stores.map(async (store) => {
        const bytes = await store.get('#k')
        return bytes && codec.decode('#k', bytes).value
      }),
    )
    return this.local ? [this.local.peek('#k')?.value, ...remote] : remote
  }

  /** Runs scheduled tasks until none are left (fire-and-forget backfills included). */
  async drain(pending: readonly Promise<unknown>[]): Promise<void> {
    await this.scheduler.waitFor(Promise.allSettled(pending))
    await settle()
    while (this.scheduler.count() > 0) {
      await this.scheduler.waitAll()
      await settle()
    }
  }
}

/** Starts `run` at a moment the scheduler picks. */
function startLater<T>(scheduler: fc.Scheduler, label: string, run: () => Promise<T>): Promise<T> {
  return scheduler.schedule(Promise.resolve(label), label).then(run)
}

async function startRace(scheduler: fc.Scheduler, config: RaceConfig) {
  const race = new Race(config, scheduler)
  await race.seed()
  const readers = config.readers.map((kind, i) =>
    startLater(scheduler, `start ${kind} #${i}`, () => race.read(kind)),
  )
  const writer = startLater(scheduler, `start ${config.writer}`, () => race.write())
  return { race, readers, writer }
}

describe('reads racing a delete, set or clear (fast-check scheduler)', () => {
  test('no tier keeps a value read or loaded before the write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), raceConfig, async (scheduler, config) => {
        const { race, readers, writer } = await startRace(scheduler, config)
        await race.drain([...readers, writer])
        for (const value of await race.held()) {
          if (value !== undefined)
            expect(race.allowed, 'a tier kept a value from before the write').toContain(value)
        }
      }),
      { seed: SEED, numRuns: NUM_RUNS, ...replay },
    )
  }, 60_000)

  test('a getOrSet called after the write resolved never answers a value from before it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), raceConfig, async (scheduler, config) => {
        const { race, readers, writer } = await startRace(scheduler, config)
        const after = writer.then(() => race.cache.getOrSet('k', race.loader))
        await race.drain([...readers, after])
        expect(race.allowed, 'answered a value from before the write').toContain(await after)
      }),
      { seed: SEED, numRuns: NUM_RUNS, ...replay },
    )
  }, 60_000)
})

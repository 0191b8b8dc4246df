import { describe, expect, test } from 'vitest'
import {
  createCache,
  InvalidOptionError,
  memory,
  memoryStore,
  type RemoteStore,
} from '../../src/index.js'
import { fakeClock } from './helpers.js'

const MINUTE = 60_000

/** A view of `store` that the cache reading it cannot close. */
const unclosable = (store: RemoteStore): RemoteStore => ({ ...store, close: async () => {} })

function capped(options: { writePolicy?: 'write-behind' } = {}) {
  const clock = fakeClock()
  const local = memory()
  const middle = memoryStore({ clock: clock.now, name: 'middle' })
  const bottom = memoryStore({ clock: clock.now, name: 'bottom' })
  const cache = createCache({
    tiers: [local, { store: unclosable(middle), maxTtl: '5m' }, unclosable(bottom)],
    clock: clock.now,
    ttl: '1h',
    ...options,
  })
  /** What a process reading only `store` gets for `key`. */
  const entryIn = (store: RemoteStore, key: string) =>
    createCache({ tiers: [unclosable(store)], clock: clock.now }).getEntry(key)
  return { cache, clock, local, middle, bottom, entryIn }
}

describe('a tier with maxTtl', () => {
  test('a write: the capped tier expires at the cap, the uncapped one keeps the ttl', async () => {
    const { cache, clock, middle, bottom, entryIn } = capped()
    const start = clock.now()
    await cache.set('k', 'v')
    expect(await entryIn(middle, 'k')).toMatchObject({
      freshUntil: start + 5 * MINUTE,
      staleUntil: start + 5 * MINUTE,
    })
    expect(await entryIn(bottom, 'k')).toMatchObject({ staleUntil: start + 60 * MINUTE })
    clock.advance(5 * MINUTE)
    expect(await middle.get('#k')).toBeUndefined() // physically gone
    expect(await entryIn(bottom, 'k')).toMatchObject({ value: 'v' })
    expect(await cache.getEntry('k')).toMatchObject({ value: 'v', tier: 0 }) // uncapped memory
  })

  test('the stale window is clipped too: fresh for the ttl, then stale only until the cap', async () => {
    const { clock, middle, entryIn } = capped()
    const cache = createCache({
      tiers: [{ store: unclosable(middle), maxTtl: '5m' }],
      clock: clock.now,
      ttl: '1m',
      grace: '1h',
    })
    const start = clock.now()
    await cache.set('k', 'v')
    expect(await entryIn(middle, 'k')).toMatchObject({
      freshUntil: start + MINUTE,
      staleUntil: start + 5 * MINUTE,
    })
  })

  test('a backfill into the capped tier is capped from the time of the backfill', async () => {
    const { cache, clock, local, middle, bottom, entryIn } = capped()
    await createCache({ tiers: [unclosable(bottom)], clock: clock.now, ttl: '1h' }).set('k', 'v')
    clock.advance(10 * MINUTE)
    const backfilledAt = clock.now()
    expect(await cache.getEntry('k')).toMatchObject({ value: 'v', tier: 2 })
    await new Promise((resolve) => setTimeout(resolve, 0)) // the backfill is not awaited by reads
    expect(await entryIn(middle, 'k')).toMatchObject({ staleUntil: backfilledAt + 5 * MINUTE })
    expect(local.peek('#k')?.staleUntil).toBe(backfilledAt + 50 * MINUTE) // uncapped: its own
    clock.advance(5 * MINUTE)
    expect(await middle.get('#k')).toBeUndefined()
    expect(await entryIn(bottom, 'k')).toMatchObject({ value: 'v' })
  })

  test("getOrSet's write and write-behind are capped", async () => {
    const { cache, clock, middle, entryIn } = capped({ writePolicy: 'write-behind' })
    const start = clock.now()
    await cache.getOrSet('loaded', () => 'v')
    await cache.set('queued', 'v')
    await cache.close() // flushes write-behind
    expect(await entryIn(middle, 'loaded')).toMatchObject({ staleUntil: start + 5 * MINUTE })
    expect(await entryIn(middle, 'queued')).toMatchObject({ staleUntil: start + 5 * MINUTE })
  })

  test('add writes the capped owner tier capped', async () => {
    const clock = fakeClock()
    const shared = memoryStore({ clock: clock.now })
    const cache = createCache({
      tiers: [memory(), { store: unclosable(shared), maxTtl: '30s' }],
      clock: clock.now,
    })
    expect(await cache.add('lock', 1)).toBe(true)
    clock.advance(30_000)
    expect(await shared.get('#lock')).toBeUndefined()
  })

  test('a capped memory tier: the entry leaves it at the cap and is read from below again', async () => {
    const clock = fakeClock()
    const local = memory()
    const remote = memoryStore({ clock: clock.now })
    const cache = createCache({
      tiers: [{ store: local, maxTtl: '1m' }, remote],
      clock: clock.now,
      ttl: '1h',
    })
    await cache.set('k', 'v')
    expect(await cache.getEntry('k')).toMatchObject({ tier: 0, freshUntil: clock.now() + MINUTE })
    clock.advance(MINUTE)
    expect(local.peek('#k')).toBeUndefined()
    expect(await cache.getEntry('k')).toMatchObject({ value: 'v', tier: 1 })
    expect(local.peek('#k')?.staleUntil).toBe(clock.now() + MINUTE) // backfilled, capped again
    await expect(cache.getOrSet('k', () => 'reloaded')).resolves.toBe('v')
  })

  test('bad tier settings are refused, naming the setting', () => {
    const cases: [string, unknown][] = [
      ['tiers[1].maxTtl', { store: memoryStore(), maxTtl: 0 }],
      ['tiers[1].maxTtl', { store: memoryStore(), maxTtl: 'soon' }],
      ['tiers[1].ttl', { store: memoryStore(), ttl: '1m' }],
      ['tiers', { store: 'redis' }],
    ]
    for (const [option, tier] of cases) {
      expect(() => createCache({ tiers: [memory(), tier as never] }), option).toThrow(
        expect.objectContaining({ option }),
      )
    }
    expect(() => createCache({ tiers: [memoryStore(), { store: memory() }] })).toThrow(
      InvalidOptionError,
    )
  })
})

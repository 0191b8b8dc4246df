import { describe, expect, test } from 'vitest'
import { createCache, InvalidOptionError, memory, memoryStore } from '../../src/index.js'
import { faultStore } from '../support/fault-store.js'
import { fakeClock } from './helpers.js'

function chain() {
  const clock = fakeClock()
  const local = memory()
  const remote = faultStore(memoryStore({ clock: clock.now, name: 'shared' }))
  const cache = createCache({
    tiers: [local, remote],
    clock: clock.now,
    ttl: '1m',
    staleWhileRevalidate: '30s',
    circuitBreaker: false,
  })
  return { cache, clock, local, remote }
}

describe('getEntry', () => {
  test('answers the value with its lifetime, its tags and the tier that answered', async () => {
    const { cache, clock } = chain()
    const start = clock.now()
    await cache.set('k', { a: 1 }, { tags: ['t'] })
    clock.advance(10)
    expect(await cache.getEntry('k')).toEqual({
      value: { a: 1 },
      createdAt: start,
      freshUntil: start + 60_000,
      staleUntil: start + 90_000,
      tags: ['t'],
      tier: 0,
      tierName: 'memory',
    })
    expect(cache.stats().hits).toBe(1)
  })

  test('a remote answer names the remote tier, is backfilled, and the next one is local', async () => {
    const { cache, local } = chain()
    await cache.set('k', 'v', { tiers: 'remote' })
    expect(local.peek('#k')).toBeUndefined()
    const first = await cache.getEntry('k')
    expect(first).toMatchObject({ value: 'v', tier: 1, tierName: 'faulty(shared)' })
    expect(local.peek('#k')?.value).toBe('v')
    expect(await cache.getEntry('k')).toMatchObject({ value: 'v', tier: 0 })
    expect(cache.stats().tiers.map((tier) => tier.hits)).toEqual([1, 1])
  })

  test('on a remote-only cache, the remote tier is tier 0', async () => {
    const clock = fakeClock()
    const cache = createCache({ tiers: [memoryStore({ clock: clock.now })], clock: clock.now })
    await cache.set('k', 'v', { ttl: '10s' })
    expect(await cache.getEntry('k')).toMatchObject({
      value: 'v',
      freshUntil: clock.now() + 10_000,
      staleUntil: clock.now() + 10_000,
      tier: 0,
      tierName: 'memory-store',
    })
  })

  test('never answers what get would not: stale, dead, or in another namespace', async () => {
    const { cache, clock } = chain()
    await cache.namespace('a').set('k', 'v')
    expect(await cache.namespace('b').getEntry('k')).toBeUndefined()
    expect(await cache.getEntry('k')).toBeUndefined()
    expect(await cache.namespace('a').getEntry('k')).toMatchObject({ value: 'v' })
    clock.advance(60_000) // stale (within staleWhileRevalidate): get misses, so does getEntry
    expect(await cache.namespace('a').get('k')).toBeUndefined()
    expect(await cache.namespace('a').getEntry('k')).toBeUndefined()
    clock.advance(30_000) // dead
    expect(await cache.namespace('a').getEntry('k')).toBeUndefined()
    expect(await cache.namespace('a').getEntry('k', { tiers: 'remote' })).toBeUndefined()
  })

  test('obeys tag invalidation and expiry, in every tier', async () => {
    const { cache } = chain()
    await cache.set('hard', 1, { tags: ['h'] })
    await cache.set('soft', 2, { tags: ['s'] })
    await cache.invalidateTags(['h'])
    await cache.expireTags(['s'])
    for (const tiers of ['all', 'local', 'remote'] as const) {
      expect(await cache.getEntry('hard', { tiers })).toBeUndefined()
      expect(await cache.getEntry('soft', { tiers })).toBeUndefined()
    }
  })

  test('honours validate and tiers like get, and names itself in option errors', async () => {
    const { cache } = chain()
    await cache.set('k', 'v', { tiers: 'remote' })
    expect(await cache.getEntry('k', { tiers: 'local' })).toBeUndefined()
    expect(await cache.getEntry('k', { validate: () => false })).toBeUndefined()
    expect(await cache.getEntry('k', { validate: (entry) => entry.value === 'v' })).toMatchObject({
      tier: 1,
    })
    const bad = { tier: 'local' } as never
    await expect(cache.getEntry('k', bad)).rejects.toThrow(InvalidOptionError)
    await expect(cache.getEntry('k', bad)).rejects.toThrow(/getEntry/)
  })

  test('a failing or corrupt remote tier is a miss, not an error', async () => {
    const { cache, remote } = chain()
    await cache.set('k', 'v', { tiers: 'remote' })
    const heal = remote.inject({ op: 'get', fault: { kind: 'throw' } })
    expect(await cache.getEntry('k')).toBeUndefined()
    heal()
    remote.inject({ op: 'get', fault: { kind: 'corrupt', how: 'bit-flip' }, times: 1 })
    expect(await cache.getEntry('k')).toBeUndefined()
    expect(cache.stats().tiers[1]?.errors).toBe(2)
    expect(await cache.getEntry('k')).toMatchObject({ value: 'v', tier: 1 })
  })

  test('strict mode rejects when the remote tier fails', async () => {
    const remote = faultStore(memoryStore())
    const cache = createCache({ tiers: [memory(), remote], strict: true })
    remote.inject({ op: 'get', fault: { kind: 'throw' } })
    await expect(cache.getEntry('k')).rejects.toThrow(/injected fault/)
  })
})

/**
 * The single-key remote read, whose usual case (a fresh untagged entry in the first
 * remote tier) is answered in the promise turn that decodes the store's reply, and whose
 * other cases take the long way through every tier. Each case below is one branch.
 */
import { describe, expect, test, vi } from 'vitest'
import { createCache, memory, memoryStore } from '../../src/index.js'
import { faultStore } from '../support/fault-store.js'
import { fakeClock } from './helpers.js'

function chain() {
  const clock = fakeClock()
  const top = faultStore(memoryStore({ clock: clock.now }))
  const bottom = memoryStore({ clock: clock.now })
  const local = memory({ clock: clock.now })
  const cache = createCache({ tiers: [local, top, bottom], clock: clock.now, ttl: '1h' })
  /** Another process writing only the first remote tier. */
  const topWriter = createCache({ tiers: [top.inner], clock: clock.now, ttl: '1h' })
  const bottomWriter = createCache({ tiers: [bottom], clock: clock.now, ttl: '1h' })
  return { clock, top, cache, topWriter, bottomWriter }
}

describe('remote read path', () => {
  test('a fresh hit in the first remote tier is served, counted there and copied into memory', async () => {
    const { cache, topWriter, top } = chain()
    await topWriter.set('k', 'top')
    expect(await cache.get('k')).toBe('top')
    expect(cache.stats().tiers[1]).toMatchObject({ hits: 1, misses: 0 })
    top.inject({ op: 'get', fault: { kind: 'throw' } })
    expect(await cache.get('k')).toBe('top') // from memory now
  })

  test('a stale entry in the first remote tier gives way to a fresh one below', async () => {
    const { cache, clock, topWriter, bottomWriter } = chain()
    await topWriter.set('k', 'old', { ttl: 10, staleWhileRevalidate: '1h' })
    clock.advance(20)
    await bottomWriter.set('k', 'new')
    expect(await cache.get('k')).toBe('new')
  })

  test('a tagged entry in the first remote tier is checked against its tags first', async () => {
    const { cache, clock, topWriter } = chain()
    await topWriter.set('k', 'tagged', { tags: ['t'] })
    clock.advance(1)
    await topWriter.invalidateTags(['t'])
    expect(await cache.get('k')).toBeUndefined()
  })

  test('validate sees the first remote tier entry once, and a rejected entry is a miss there', async () => {
    const { cache, topWriter, bottomWriter } = chain()
    await topWriter.set('k', 'top')
    await bottomWriter.set('k', 'bottom')
    const seen: unknown[] = []
    const value = await cache.get('k', {
      validate: (entry) => {
        seen.push(entry.value)
        return entry.value === 'bottom'
      },
    })
    expect(value).toBe('bottom')
    expect(seen).toEqual(['top', 'bottom'])
  })

  test('a delete while the first remote tier answers keeps the answer out of memory', async () => {
    const { cache, topWriter, top } = chain()
    await topWriter.set('k', 'before')
    top.inject({ op: 'get', fault: { kind: 'hang' }, times: 1 })
    const reading = cache.get('k')
    await top.waitForHeld(1, 'get')
    await cache.delete('k')
    await topWriter.set('k', 'after')
    await top.release('get')
    await reading
    // Nothing the read saw reached memory: the next read goes back to the store.
    expect(await cache.get('k')).toBe('after')
  })

  test('a failing first remote tier is a counted error and a miss there; strict mode rejects', async () => {
    const { cache, top, bottomWriter } = chain()
    await bottomWriter.set('k', 'bottom')
    top.inject({ op: 'get', fault: { kind: 'throw' } })
    expect(await cache.get('k')).toBe('bottom')
    expect(cache.stats().tiers[1]?.errors).toBe(1)
    const strict = createCache({ tiers: [top], strict: true, circuitBreaker: false })
    await expect(strict.get('k')).rejects.toMatchObject({ code: 'E_STORE_UNAVAILABLE' })
  })
})

describe('getOrSet through the remote tiers', () => {
  test('a fresh remote hit answers without calling the loader, and is copied into memory', async () => {
    const { cache, topWriter, top } = chain()
    await topWriter.set('k', 'top')
    const loader = vi.fn(() => 'loaded')
    expect(await cache.getOrSet('k', loader)).toBe('top')
    expect(loader).not.toHaveBeenCalled()
    top.inject({ op: 'get', fault: { kind: 'throw' } })
    expect(await cache.getOrSet('k', loader)).toBe('top')
  })

  test('callers sharing one loader call each get a promise of their own', async () => {
    const { cache } = chain()
    let fail!: (error: Error) => void
    const loader = () =>
      new Promise<string>((_, reject) => {
        fail = reject
      })
    const first = cache.getOrSet('k', loader)
    const second = cache.getOrSet('k', loader)
    // One shared promise would be marked handled for all: a caller ignoring a failed
    // getOrSet would never hear of it.
    expect(first).not.toBe(second)
    await vi.waitFor(() => expect(fail).toBeTypeOf('function'))
    fail(new Error('source down'))
    await expect(first).rejects.toThrow('source down')
    await expect(second).rejects.toThrow('source down')
    expect(cache.stats().coalesced).toBe(1)
  })

  test('a background refresh that fails is no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const { cache, clock } = chain()
      await cache.set('k', 'old', { ttl: 10, staleWhileRevalidate: '1h' })
      clock.advance(20)
      const failing = () => Promise.reject(new Error('source down'))
      expect(await cache.getOrSet('k', failing, { staleWhileRevalidate: '1h' })).toBe('old')
      await vi.waitFor(() => expect(cache.stats().loadErrors).toBe(1))
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})

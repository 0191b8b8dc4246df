import { describe, expect, test } from 'vitest'
import { createCache, MemoryBusHub, memory, memoryStore } from '../../src/index.js'
import { fakeClock, switchableStore } from './helpers.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('add on a chain', () => {
  test('delegates atomicity to the deepest atomic tier and fills the tiers above', async () => {
    const local = memory()
    const middle = memoryStore()
    const bottom = memoryStore()
    const a = createCache({ tiers: [local, middle, bottom] })
    const b = createCache({ tiers: [memory(), memoryStore(), bottom] })
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).add('job:1', `worker-${i}`)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = `worker-${results.indexOf(true)}`
    expect(await createCache({ tiers: [bottom] }).get('job:1')).toBe(winner)
    if (results.indexOf(true) % 2) {
      expect(local.peek('#job:1')?.value).toBe(winner)
      expect(await middle.get('#job:1')).toBeDefined()
    }
  })

  test('on a memory-only cache', async () => {
    const cache = createCache({ tiers: [memory()] })
    expect(await cache.add('k', 1)).toBe(true)
    expect(await cache.add('k', 2)).toBe(false)
    expect(await cache.get('k')).toBe(1)
  })
})

describe('write policies and tier selection', () => {
  test('write-behind writes the local tier now and the remote tiers from a queue, flushed on close', async () => {
    const remote = memoryStore()
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const set = remote.set.bind(remote)
    remote.set = async (key, value, expiresAt) => {
      await gate
      return set(key, value, expiresAt)
    }
    const setIfNewer = remote.setIfNewer!.bind(remote)
    remote.setIfNewer = async (key, value, expiresAt, version) => {
      await gate
      return setIfNewer(key, value, expiresAt, version)
    }
    let landed: Uint8Array | undefined
    const close = remote.close.bind(remote)
    remote.close = async () => {
      landed = await remote.get('#k')
      return close()
    }
    const cache = createCache({ tiers: [memory(), remote], writePolicy: 'write-behind' })
    await cache.set('k', 'v')
    expect(await cache.get('k')).toBe('v')
    expect(await remote.get('#k')).toBeUndefined()
    const closing = cache.close()
    release()
    await closing
    expect(landed).toBeDefined()
  })

  test('write-behind failures are counted and evented', async () => {
    const remote = switchableStore()
    const cache = createCache({ tiers: [memory(), remote.store], writePolicy: 'write-behind' })
    const errors: string[] = []
    cache.on('error', (e) => errors.push(e.operation))
    remote.setDown(true)
    await cache.set('k', 'v')
    await new Promise((r) => setTimeout(r, 5))
    expect(errors).toContain('set')
    expect(await cache.get('k')).toBe('v')
  })

  test("per-call tiers: 'local' skips remote tiers, 'remote' skips the local one", async () => {
    const local = memory()
    const remote = memoryStore()
    const cache = createCache({ tiers: [local, remote] })
    await cache.set('l', 1, { tiers: 'local' })
    await cache.set('r', 2, { tiers: 'remote' })
    expect(await remote.get('#l')).toBeUndefined()
    expect(local.peek('#r')).toBeUndefined()
    expect(await cache.get('r', { tiers: 'local' })).toBeUndefined()
    expect(await cache.get('r', { tiers: 'remote' })).toBe(2)
  })
})

describe('distributed single-flight', () => {
  test('two caches over one shared store call the loader once', async () => {
    const shared = memoryStore()
    const options = { distributedLock: { retryInterval: 5 } }
    const a = createCache({ tiers: [memory(), shared], ...options })
    const b = createCache({ tiers: [memory(), shared], ...options })
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 30))
      return 'value'
    }
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).getOrSet('cold', loader)),
    )
    expect(calls).toBe(1)
    expect(new Set(results)).toEqual(new Set(['value']))
    expect(a.stats().lockWaits + b.stats().lockWaits).toBe(1)
    expect(await shared.get('!lock:#cold')).toBeUndefined()
  })

  test('the lock is released when the loader fails', async () => {
    const shared = memoryStore()
    const cache = createCache({ tiers: [shared], distributedLock: true })
    await expect(cache.getOrSet('k', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    )
    expect(await shared.get('!lock:#k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => 'ok')).toBe('ok')
  })

  test('a crashed holder delays the others by at most the lock timeout', async () => {
    const clock = fakeClock()
    const shared = memoryStore({ clock: clock.now })
    const cache = createCache({
      tiers: [shared],
      clock: clock.now,
      distributedLock: { timeout: '5s', retryInterval: 1 },
    })
    // A holder that crashed: its lock stays until it expires.
    await shared.add!('!lock:#k', new Uint8Array(1), clock.now() + 5_000)
    const pending = cache.getOrSet('k', () => 'loaded')
    await new Promise((r) => setTimeout(r, 10))
    clock.advance(5_000)
    expect(await pending).toBe('loaded')
  })

  test('after a crashed holder, exactly one of the waiting caches loads', async () => {
    const clock = fakeClock()
    const shared = memoryStore({ clock: clock.now })
    const caches = Array.from({ length: 3 }, () =>
      createCache({
        tiers: [shared],
        clock: clock.now,
        distributedLock: { timeout: '5s', retryInterval: 1 },
      }),
    )
    await shared.add!('!lock:#k', new Uint8Array(1), clock.now() + 5_000)
    let calls = 0
    const loader = async () => {
      calls++
      await new Promise((r) => setTimeout(r, 20))
      return 'loaded'
    }
    const pending = caches.map((cache) => cache.getOrSet('k', loader))
    await new Promise((r) => setTimeout(r, 10))
    clock.advance(5_000)
    expect(await Promise.all(pending)).toEqual(['loaded', 'loaded', 'loaded'])
    expect(calls).toBe(1)
  })

  test('lock calls go through the tier guard: an open circuit skips the lock', async () => {
    const down = switchableStore()
    const cache = createCache({
      tiers: [down.store],
      distributedLock: { timeout: '5s' },
      circuitBreaker: { failureThreshold: 1 },
    })
    down.setDown(true)
    const errors: string[] = []
    cache.on('error', (event) => errors.push(event.operation))
    expect(await cache.getOrSet('k', () => 'loaded anyway')).toBe('loaded anyway')
    expect(errors).toContain('lock')
  })

  test('needs a tier with an atomic add', () => {
    expect(() => createCache({ tiers: [memory()], distributedLock: true })).toThrow(/atomic add/)
  })
})

describe('bus coherence', () => {
  test('set and delete in one process drop the other process’ local copy', async () => {
    const hub = new MemoryBusHub()
    const shared = memoryStore()
    const a = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    const b = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    await a.set('k', 'v1')
    expect(await b.get('k')).toBe('v1')
    await a.set('k', 'v2')
    await tick()
    expect(await b.get('k')).toBe('v2')
    await a.delete('k')
    await tick()
    expect(await b.get('k')).toBeUndefined()
  })

  test('a reconnect drops every local copy (messages may have been lost)', async () => {
    const hub = new MemoryBusHub()
    const shared = memoryStore()
    const local = memory()
    const b = createCache({ tiers: [local, shared], bus: hub.bus() })
    await b.set('k', 'v')
    await shared.delete('#k') // changed behind b's back, message lost
    hub.reconnectAll()
    expect(local.peek('#k')).toBeUndefined()
    expect(await b.get('k')).toBeUndefined()
  })
})

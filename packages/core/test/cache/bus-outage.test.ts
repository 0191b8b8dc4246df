import { describe, expect, test } from 'vitest'
import {
  type CacheBus,
  type CacheLogger,
  createCache,
  MemoryBusHub,
  memory,
  memoryStore,
} from '../../src/index.js'

/** A bus whose publish can be made to fail or hang, in front of a real in-process bus. */
function faultyBus(inner: CacheBus) {
  let mode: 'up' | 'fail' | 'hang' = 'up'
  let publishes = 0
  const bus: CacheBus = {
    name: 'faulty',
    publish: (message) => {
      publishes++
      if (mode === 'fail') return Promise.reject(new Error('bus down'))
      if (mode === 'hang') return new Promise(() => {})
      return inner.publish(message)
    },
    subscribe: (listener) => inner.subscribe(listener),
    close: () => inner.close(),
  }
  return {
    bus,
    set: (next: typeof mode) => {
      mode = next
    },
    publishes: () => publishes,
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

function recordingLogger() {
  const lines: string[] = []
  const logger: CacheLogger = {
    debug: (message) => lines.push(`debug ${message}`),
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  }
  return { logger, lines }
}

describe('a bus that is down or hangs', () => {
  test('publishing holds a caller at most the timeout, and nothing once the circuit is open', async () => {
    const hub = new MemoryBusHub()
    const faulty = faultyBus(hub.bus())
    const cache = createCache({
      tiers: [memory(), memoryStore()],
      bus: faulty.bus,
      tierTimeout: '30ms',
      circuitBreaker: { failureThreshold: 2, cooldown: '1h' },
    })
    faulty.set('hang')
    for (let i = 0; i < 2; i++) {
      const started = performance.now()
      await cache.set(`k${i}`, i)
      expect(performance.now() - started).toBeLessThan(1_000)
    }
    const before = faulty.publishes()
    for (let i = 0; i < 20; i++) await cache.set(`open${i}`, i)
    expect(faulty.publishes(), 'no publish is attempted while the circuit is open').toBe(before)
    expect(cache.stats().errors).toBeGreaterThanOrEqual(22)
    await cache.close()
  })

  test('what could not be published is announced once the bus works again', async () => {
    const hub = new MemoryBusHub()
    const faulty = faultyBus(hub.bus())
    const shared = memoryStore()
    const a = createCache({ tiers: [memory(), shared], bus: faulty.bus })
    const b = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    await a.set('k', 'v1')
    expect(await b.get('k')).toBe('v1') // now in b's memory tier
    faulty.set('fail')
    await a.delete('k')
    await tick()
    expect(await b.get('k'), 'b cannot know yet: its memory copy stands').toBe('v1')
    faulty.set('up')
    await a.set('other', 1) // the next publish announces the backlog first
    await tick()
    expect(await b.get('k')).toBeUndefined()
    await Promise.all([a.close(), b.close()])
  })

  test('a backlog too large to re-announce becomes a reset: receivers drop their local tier', async () => {
    const hub = new MemoryBusHub()
    const faulty = faultyBus(hub.bus())
    const shared = memoryStore()
    const a = createCache({
      tiers: [memory(), shared],
      bus: faulty.bus,
      circuitBreaker: false,
    })
    const b = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    await a.set('kept', 'v1')
    expect(await b.get('kept')).toBe('v1')
    faulty.set('fail')
    await a.deleteMany(Array.from({ length: 1_500 }, (_, i) => `gone${i}`))
    await shared.set('#kept', new Uint8Array([1]), Number.POSITIVE_INFINITY) // not an envelope
    faulty.set('up')
    await a.set('trigger', 1)
    await tick()
    expect(await b.get('kept'), 'b dropped its memory copy and read the store').toBeUndefined()
    await Promise.all([a.close(), b.close()])
  })

  test('the logger gets state changes, rate-limited, never one line per request', async () => {
    const hub = new MemoryBusHub()
    const faulty = faultyBus(hub.bus())
    const { logger, lines } = recordingLogger()
    const cache = createCache({
      tiers: [memory(), memoryStore()],
      bus: faulty.bus,
      logger,
      circuitBreaker: { failureThreshold: 3, cooldown: '1h' },
    })
    faulty.set('fail')
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, i)
    const open = lines.filter((line) => line.includes('circuit open'))
    const failures = lines.filter((line) => line.includes('publish failed'))
    expect(open).toHaveLength(1)
    expect(open[0]).toMatch(/^error @stack\/core cache "cache": bus faulty: circuit open/)
    expect(failures.length).toBeLessThanOrEqual(2)
    expect(lines.length).toBeLessThan(6)
    await cache.close()
  })

  test('a logger without warn and error is refused, naming the option', () => {
    expect(() => createCache({ tiers: [memory()], logger: {} as CacheLogger })).toThrow(/logger/)
  })
})

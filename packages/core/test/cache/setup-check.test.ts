/**
 * Issue 14: a store may report, through the optional `checkSetup`, a backend set up in a
 * way that breaks tags (an evicting Redis). Core asks once per cache, when it first uses
 * tags, and says it once: one logger line and one `setup` event per tier and warning.
 */
import { describe, expect, test } from 'vitest'
import {
  type CacheLogger,
  completeStore,
  createCache,
  memory,
  memoryStore,
  type RemoteStore,
  type StoreWarning,
} from '../../src/index.js'
import { fakeClock } from './helpers.js'

const EVICTING: StoreWarning = {
  code: 'evicts-live-keys',
  message: 'the backend may evict keys before they expire',
}

/** A memoryStore with a `checkSetup` that answers `answer()` and counts its calls. */
function checkedStore(answer: () => Promise<readonly StoreWarning[]>, name = 'checked') {
  const inner = memoryStore()
  const counter = { calls: 0 }
  const store: RemoteStore = {
    name,
    contractVersion: inner.contractVersion,
    capabilities: { ...inner.capabilities, conditionalWrite: false },
    get: (key) => inner.get(key),
    set: (key, value, expiresAt) => inner.set(key, value, expiresAt),
    delete: (key) => inner.delete(key),
    clear: (prefix) => inner.clear(prefix),
    close: () => inner.close(),
    checkSetup() {
      counter.calls++
      return answer()
    },
  }
  return { store, counter }
}

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = []
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, ...(fields && { fields }) })
    }
  const logger: CacheLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  }
  return { logger, lines, at: (level: string) => lines.filter((line) => line.level === level) }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('checkSetup', () => {
  test('is asked once, at the first use of tags, and its warning said once', async () => {
    const { store, counter } = checkedStore(async () => [EVICTING], 'redis-like')
    const log = recordingLogger()
    const cache = createCache({ tiers: [memory(), store], logger: log.logger })
    const events: unknown[] = []
    cache.on('setup', (event) => events.push(event))

    await cache.set('plain', 1)
    await cache.get('plain')
    await settle()
    expect(counter.calls, 'no tags used yet').toBe(0)

    await cache.set('k', 1, { tags: ['t'] })
    await Promise.all([cache.invalidateTags(['t']), cache.expireTags(['u']), cache.get('k')])
    await cache.namespace('n').invalidateTags(['t'])
    await settle()
    expect(counter.calls).toBe(1)
    expect(events).toEqual([{ tier: 'redis-like', ...EVICTING }])
    const warnings = log.at('warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain('redis-like: the backend may evict keys')
    expect(warnings[0]?.fields).toEqual({ tier: 'redis-like', code: 'evicts-live-keys' })
    await cache.close()
  })

  test('a first read of a tagged entry written by another process triggers it too', async () => {
    const { store, counter } = checkedStore(async () => [EVICTING])
    const writer = createCache({ tiers: [store] })
    await writer.set('k', 1, { tags: ['t'] })
    const events: unknown[] = []
    const reader = createCache({ tiers: [store] })
    reader.on('setup', (event) => events.push(event))
    expect(await reader.get('k')).toBe(1)
    await settle()
    expect(events).toHaveLength(1)
    expect(counter.calls).toBe(1)
  })

  test('an unreachable backend is logged at debug and asked again a minute later, not before', async () => {
    const clock = fakeClock()
    let reachable = false
    const { store, counter } = checkedStore(async () => {
      if (!reachable) throw new Error('connection refused')
      return [EVICTING]
    })
    const log = recordingLogger()
    const cache = createCache({ tiers: [store], logger: log.logger, clock: clock.now })
    const events: unknown[] = []
    cache.on('setup', (event) => events.push(event))

    await cache.invalidateTags(['t'])
    await settle()
    expect(counter.calls).toBe(1)
    expect(log.at('debug').map((line) => line.message)).toEqual([
      expect.stringContaining('could not check its setup: connection refused'),
    ])
    expect(log.at('warn')).toEqual([])

    clock.advance(59_999)
    await cache.invalidateTags(['t'])
    await settle()
    expect(counter.calls, 'retried within the minute').toBe(1)

    reachable = true
    clock.advance(1)
    await cache.invalidateTags(['t'])
    await settle()
    clock.advance(3_600_000)
    await cache.invalidateTags(['t'])
    await settle()
    expect(counter.calls).toBe(2)
    expect(events).toHaveLength(1)
    expect(log.at('warn')).toHaveLength(1)
  })

  test('each tier is asked; a check that throws or answers nothing harms nothing', async () => {
    const quiet = checkedStore(async () => [])
    const throwing = checkedStore(() => {
      throw new Error('sync throw')
    }, 'throwing')
    const warning = checkedStore(async () => [EVICTING, { code: 'other', message: 'm' }], 'warn')
    const log = recordingLogger()
    const cache = createCache({
      tiers: [quiet.store, throwing.store, warning.store, memoryStore()],
      logger: log.logger,
    })
    const events: { tier: string; code: string }[] = []
    cache.on('setup', (event) => events.push(event))
    await cache.set('k', 'v', { tags: ['t'] })
    await cache.invalidateTags(['t'])
    await settle()
    expect(await cache.get('k')).toBeUndefined()
    expect([quiet, throwing, warning].map((s) => s.counter.calls)).toEqual([1, 1, 1])
    expect(events.map((e) => `${e.tier}:${e.code}`)).toEqual([
      'warn:evicts-live-keys',
      'warn:other',
    ])
    expect(log.at('warn')).toHaveLength(2)
  })

  test('completeStore passes checkSetup through, with the store as `this`', async () => {
    class Minimal {
      readonly name = 'minimal'
      readonly contractVersion = 1
      readonly capabilities = {
        batch: false,
        add: false,
        keys: false,
        ttlGranularity: 'ms',
      } as const
      readonly #policy = 'allkeys-lru'
      get = async () => undefined
      set = async () => undefined
      delete = async () => false
      clear = async () => undefined
      close = async () => undefined
      async checkSetup(): Promise<readonly StoreWarning[]> {
        return [{ code: 'evicts-live-keys', message: this.#policy }]
      }
    }
    const completed = completeStore(new Minimal())
    expect(await completed.checkSetup?.()).toEqual([
      { code: 'evicts-live-keys', message: 'allkeys-lru' },
    ])
    expect(completeStore(memoryStore()).checkSetup).toBeUndefined()
  })
})

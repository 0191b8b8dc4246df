import { describe, expect, test } from 'vitest'
import { createCache, memory, memoryStore } from '../../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('schedule', () => {
  test('four caches scheduling one key refresh it once per period between them', async () => {
    const shared = memoryStore()
    const period = 40
    const caches = Array.from({ length: 4 }, () => createCache({ tiers: [memory(), shared] }))
    let calls = 0
    const started = Date.now()
    const schedules = caches.map((cache) =>
      cache.schedule('rates', () => ++calls, { every: period, jitter: 5 }),
    )
    await sleep(period * 6)
    for (const schedule of schedules) schedule.stop()
    // One claim per period: at most one call per period the test touched (without the
    // claim, four schedules would make about four times as many).
    const periodsTouched = Math.floor(Date.now() / period) - Math.floor(started / period) + 1
    expect(calls).toBeLessThanOrEqual(periodsTouched)
    expect(calls).toBeGreaterThanOrEqual(3)
    await Promise.all(caches.map((cache) => cache.close()))
  })

  test('readers see the new value within one reader period', async () => {
    const shared = memoryStore()
    const writer = createCache({ tiers: [memory(), shared] })
    const readerCache = createCache({ tiers: [memory(), shared] })
    let version = 0
    const schedule = writer.schedule('config', () => ++version, { every: 30 })
    const reader = readerCache.reader<number>('config', { every: 10 })
    await sleep(5)
    expect(await reader.get()).toBe(1)
    await schedule.refresh()
    const written = version
    await sleep(25)
    // Read the local tier only: the reader must have pulled the new value into it.
    expect(await readerCache.get('config', { tiers: 'local' })).toBeGreaterThanOrEqual(written)
    await Promise.all([writer.close(), readerCache.close()])
  })

  test('every <= 0 disables the timer: values load on demand', async () => {
    const cache = createCache({ tiers: [memory()] })
    let calls = 0
    const schedule = cache.schedule('k', () => ++calls, { every: 0 })
    await sleep(10)
    expect(calls).toBe(0)
    expect(await schedule.get()).toBe(1)
    expect(await schedule.get()).toBe(1)
    await cache.close()
  })

  test('a failing refresh keeps the previous value and reports the error', async () => {
    const cache = createCache({ tiers: [memory()] })
    const errors: string[] = []
    cache.on('error', (event) => errors.push(event.operation))
    let fail = false
    const schedule = cache.schedule(
      'k',
      () => {
        if (fail) throw new Error('upstream down')
        return 'good'
      },
      { every: '1h' },
    )
    await sleep(1)
    fail = true
    expect(await schedule.refresh()).toBeUndefined()
    expect(await cache.get('k')).toBe('good')
    expect(errors).toEqual(['load'])
    await cache.close()
  })

  test('close stops every schedule and reader', async () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    let calls = 0
    cache.schedule('k', () => ++calls, { every: 10 })
    cache.reader('k', { every: 10 })
    await sleep(5)
    await cache.close()
    const before = calls
    await sleep(40)
    expect(calls).toBe(before)
  })

  test('schedule and reader reject unknown options, naming them', () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    const naming = (option: string) => expect.objectContaining({ code: 'E_INVALID_OPTION', option })
    for (const unknown of ['maxTtl', 'evry', 'serializer']) {
      const options = { every: '1m', [unknown]: 1 } as never
      expect(() => cache.schedule('k', () => 1, options)).toThrow(naming(unknown))
      expect(() => cache.reader('k', options)).toThrow(naming(unknown))
    }
    expect(() =>
      cache.schedule('k', () => 1, { every: '1m', runImmediately: 'no' as never }),
    ).toThrow(naming('runImmediately'))
    // A failed schedule() does not hold the key.
    cache.schedule('k', () => 1, { every: 0 }).stop()
    void cache.close()
  })

  test('reader refuses the writing options of schedule (ttl, tags, jitter), naming them', () => {
    const cache = createCache({ tiers: [memory(), memoryStore()] })
    for (const writing of ['ttl', 'tags', 'jitter']) {
      const options = { every: '1m', [writing]: writing === 'tags' ? ['t'] : '1m' } as never
      expect(() => cache.reader('k', options)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option: writing }),
      )
      expect(() => cache.reader('k', options)).toThrow(/set it on the schedule\(\)/)
    }
    void cache.close()
  })

  test('reader honours runImmediately: false (the first pull waits one period)', async () => {
    const shared = memoryStore()
    const writer = createCache({ tiers: [memory(), shared] })
    const readerCache = createCache({ tiers: [memory(), shared] })
    await writer.set('k', 'v')
    const lazy = readerCache.reader<string>('k', { every: '1h', runImmediately: false })
    await sleep(20)
    expect(await readerCache.get('k', { tiers: 'local' })).toBeUndefined()
    await lazy.pull()
    expect(await readerCache.get('k', { tiers: 'local' })).toBe('v')
    lazy.stop()
    await Promise.all([writer.close(), readerCache.close()])
  })

  test('a second schedule of a running key throws E_INVALID_OPTION naming key; after stop() it works', async () => {
    const cache = createCache({ tiers: [memory()] })
    const first = cache.schedule('k', () => 1, { every: '1h' })
    const second = () => cache.schedule('k', () => 2, { every: '1h' })
    expect(second).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'key' }))
    expect(second).toThrow(/already scheduled on this cache; stop\(\) that schedule/)
    // Other keys, and the same key on another cache, are independent.
    cache.schedule('other', () => 1, { every: '1h' }).stop()
    const elsewhere = createCache({ tiers: [memory()] })
    elsewhere.schedule('k', () => 1, { every: '1h' }).stop()
    first.stop()
    second().stop()
    await Promise.all([cache.close(), elsewhere.close()])
  })
})

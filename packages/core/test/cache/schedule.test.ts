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
})

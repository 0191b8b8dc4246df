import { StoreUnavailableError } from '@stack/core'
import { type RedisServer, startRedis } from '@stack/test-servers/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.js'

const TIMEOUT_MS = 300
/** A correctness bound (the call must not hang), not a performance assertion. */
const UPPER_BOUND_MS = 3 * TIMEOUT_MS
const value = new Uint8Array([7])

/** Resolves how long `call` took to reject, after checking it rejected with StoreUnavailableError. */
async function timeToFailure(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  const error = await call().then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error, 'the call should reject').toBeDefined()
  expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true)
  return performance.now() - started
}

/** Retries `call` every 50 ms until it resolves, for at most `withinMs`. */
async function eventually<T>(call: () => Promise<T>, withinMs = 10_000): Promise<T> {
  const deadline = Date.now() + withinMs
  for (;;) {
    try {
      return await call()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

const server = await startRedis()

describe.skipIf(server === undefined)('outage and recovery', () => {
  let redis: RedisServer
  let store: RedisStore

  beforeAll(() => {
    redis = server as RedisServer
    store = redisStore({ url: redis.url, timeout: TIMEOUT_MS, keyPrefix: 'outage:' })
  })

  afterAll(async () => {
    await store.close()
    await redis.stop()
  })

  test('calls reject within the timeout while the server is down, then the store recovers by itself', async () => {
    await store.set('before', value, Infinity)
    await redis.kill()

    const calls: [string, () => Promise<unknown>][] = [
      ['get', () => store.get('before')],
      ['set', () => store.set('lost', value, Infinity)],
      ['delete', () => store.delete('before')],
      ['add', () => store.add('lost-add', value, Infinity)],
      ['getMany', () => store.getMany(['before', 'other'])],
      ['setMany', () => store.setMany([{ key: 'lost-many', value, expiresAt: Infinity }])],
      ['deleteMany', () => store.deleteMany(['before'])],
      ['clear', () => store.clear('')],
      ['keys', () => store.keys('')[Symbol.asyncIterator]().next()],
    ]
    // Twice: right after the connection dropped, and again while reconnecting.
    for (const round of [1, 2]) {
      const durations = await Promise.all(calls.map(([, call]) => timeToFailure(call)))
      durations.forEach((duration, index) => {
        expect(duration, `${calls[index]?.[0]} in round ${round}`).toBeLessThan(UPPER_BOUND_MS)
      })
    }

    await redis.restart()
    // The restarted server is empty (no persistence): recovery shows as working calls.
    await eventually(() => store.set('after', value, Infinity))
    expect(await store.get('after')).toEqual(value)
    // Writes that failed during the outage were dropped, not replayed on reconnect.
    expect(await store.getMany(['lost', 'lost-add', 'lost-many'])).toEqual([
      undefined,
      undefined,
      undefined,
    ])
  })

  test('a frozen server (connection open, no replies) fails calls within the timeout', async () => {
    await eventually(() => store.set('frozen', value, Infinity))
    redis.pause()
    try {
      expect(await timeToFailure(() => store.get('frozen'))).toBeLessThan(UPPER_BOUND_MS)
      expect(await timeToFailure(() => store.getMany(['frozen']))).toBeLessThan(UPPER_BOUND_MS)
    } finally {
      redis.resume()
    }
    expect(await eventually(() => store.get('frozen'))).toEqual(value)
  })

  test('a client passed in with ioredis defaults (offline queue on) is bounded by the timeout too', async () => {
    const client = new Redis(redis.url)
    const borrowed = redisStore({ client, timeout: TIMEOUT_MS, keyPrefix: 'outage-borrowed:' })
    client.on('error', () => {})
    try {
      await eventually(() => borrowed.set('k', value, Infinity))
      await redis.kill()
      expect(await timeToFailure(() => borrowed.get('k'))).toBeLessThan(UPPER_BOUND_MS)
      expect(await timeToFailure(() => borrowed.getMany(['k']))).toBeLessThan(UPPER_BOUND_MS)
      await redis.restart()
      await eventually(() => borrowed.set('k', value, Infinity))
      expect(await borrowed.get('k')).toEqual(value)
    } finally {
      await borrowed.close()
      client.disconnect()
    }
  })

  test('a store created while its server is down fails fast, then works once it is up', async () => {
    await redis.kill()
    const late = redisStore({ url: redis.url, timeout: TIMEOUT_MS, keyPrefix: 'outage-late:' })
    try {
      expect(await timeToFailure(() => late.get('k'))).toBeLessThan(UPPER_BOUND_MS)
      await redis.restart()
      await eventually(() => late.set('k', value, Infinity))
      expect(await late.get('k')).toEqual(value)
    } finally {
      await late.close()
    }
  })
})

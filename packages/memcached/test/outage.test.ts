import { createServer, type Socket } from 'node:net'
import { StoreUnavailableError } from '@stack/core'
import { type MemcachedServer, startMemcached } from '@stack/test-servers/memcached'
import memjs from 'memjs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { memcachedStore } from '../src/index.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const FOREVER = Number.POSITIVE_INFINITY
const TIMEOUT_MS = 500
/** Generous bound on "fails within the timeout": correctness, not performance. */
const LIMIT_MS = TIMEOUT_MS + 2_000

async function outcome(call: () => Promise<unknown>) {
  const started = Date.now()
  const result = await call().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  return { ...result, elapsed: Date.now() - started }
}

async function eventually(attempt: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

let servers: (MemcachedServer | undefined)[] = []
beforeAll(async () => {
  servers = await Promise.all([startMemcached(), startMemcached()])
})
afterAll(() => Promise.all(servers.map((server) => server?.stop())))

describe('memcached outages', () => {
  test('one of two servers down: only its keys fail, within the timeout; back after restart', async (context) => {
    const [a, b] = servers
    if (!a || !b) return context.skip('memcached is not installed')
    const store = memcachedStore({ client: [a.address, b.address], timeout: TIMEOUT_MS })
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`)
    await store.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: FOREVER })))
    await a.kill()

    const reads = await Promise.all(keys.map((key) => outcome(() => store.get(key))))
    const failed = reads.filter((read) => !read.ok)
    const served = reads.filter((read) => read.ok)
    expect(failed.length).toBeGreaterThan(0)
    expect(served.length).toBeGreaterThan(0)
    for (const read of failed) {
      expect(read.ok ? undefined : read.error).toBeInstanceOf(StoreUnavailableError)
      expect(read.elapsed).toBeLessThan(LIMIT_MS)
    }
    for (const [index, read] of reads.entries()) {
      if (read.ok) expect(read.value).toEqual(Buffer.from(keys[index] as string))
    }
    const clear = await outcome(() => store.clear('k'))
    expect(clear.ok ? undefined : clear.error).toBeInstanceOf(StoreUnavailableError)

    await a.restart()
    await eventually(async () => {
      await store.set('k0', bytes('again'), FOREVER)
      for (const key of keys) await store.get(key)
    })
    expect(await store.get('k0')).toEqual(Buffer.from('again'))
    await store.close()
  })

  test('the only server down: every call fails within the timeout; recovers by itself', async (context) => {
    const [a] = servers
    if (!a) return context.skip('memcached is not installed')
    const store = memcachedStore({ client: a.address, timeout: TIMEOUT_MS })
    await store.set('k', bytes('before'), FOREVER)
    await a.kill()
    const calls = [
      () => store.get('k'),
      () => store.set('k', bytes('during'), FOREVER),
      () => store.add('j', bytes('during'), FOREVER),
      () => store.delete('k'),
      () => store.getMany(['k', 'j']),
      () => store.clear(''),
    ]
    for (const call of calls) {
      const result = await outcome(call)
      expect(result.ok ? undefined : result.error).toBeInstanceOf(StoreUnavailableError)
      expect(result.elapsed).toBeLessThan(LIMIT_MS)
    }
    await a.restart()
    await eventually(() => store.set('k', bytes('after'), FOREVER))
    expect(await store.get('k')).toEqual(Buffer.from('after'))
    await store.close()
  })

  test("a borrowed client's failover still applies to get: a stopped server's keys move to the other", async (context) => {
    const [a, b] = servers
    if (!a || !b) return context.skip('memcached is not installed')
    const client = memjs.Client.create(`${a.address},${b.address}`, {
      retries: 1,
      failover: true,
      timeout: TIMEOUT_MS / 1000,
      logger: { log: () => undefined },
    })
    const store = memcachedStore({ client, namespace: 'failover', timeout: TIMEOUT_MS })
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`)
    await store.setMany(keys.map((key) => ({ key, value: bytes(key), expiresAt: FOREVER })))
    const onA = keys.filter((key) => store.client.server(`failover:${key}`) === client.servers[0])
    expect(onA.length).toBeGreaterThan(0)
    await a.kill()

    // memjs re-sends each failed read to the next server: misses there, never errors.
    const reads = await Promise.all(keys.map((key) => outcome(() => store.get(key))))
    for (const [index, read] of reads.entries()) {
      const key = keys[index] as string
      expect(read.ok ? read.value : read.error).toEqual(
        onA.includes(key) ? undefined : Buffer.from(key),
      )
      expect(read.elapsed).toBeLessThan(LIMIT_MS)
    }
    await a.restart()
    await store.close()
    client.close()
  })

  test('a server that accepts connections but never answers fails calls within the timeout', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const store = memcachedStore({ client: `127.0.0.1:${port}`, timeout: TIMEOUT_MS })
    for (const call of [() => store.get('k'), () => store.set('k', bytes('v'), FOREVER)]) {
      const result = await outcome(call)
      expect(result.ok ? undefined : result.error).toBeInstanceOf(StoreUnavailableError)
      expect(result.elapsed).toBeLessThan(LIMIT_MS)
    }
    await store.close()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })
})

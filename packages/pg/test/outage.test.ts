import { createServer, type Server } from 'node:net'
import { StoreUnavailableError } from '@stack/core'
import { type PostgresServer, startPostgres } from '@stack/test-servers/postgres'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pgBus, pgStore } from '../src/index.js'

const bytes = (text: string) => new TextEncoder().encode(text)
/** Generous bound on "fails within the timeout": correctness, not performance. */
const SLACK_MS = 2_000

async function failsWithin(call: () => Promise<unknown>, limitMs: number) {
  const started = Date.now()
  const error = await call().then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(StoreUnavailableError)
  expect(Date.now() - started).toBeLessThan(limitMs)
}

async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

let server: PostgresServer | undefined
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(() => server?.stop())

describe('pg outages', () => {
  test('a stopped server fails calls within the timeout; the store recovers after restart', async (context) => {
    if (!server) return context.skip('PostgreSQL is not installed')
    const store = pgStore({ client: server.url, table: 'outage', timeout: 1_000 })
    await store.set('k', bytes('before'), Number.POSITIVE_INFINITY)
    await server.kill()
    await failsWithin(() => store.get('k'), 1_000 + SLACK_MS)
    await failsWithin(
      () => store.set('k', bytes('during'), Number.POSITIVE_INFINITY),
      1_000 + SLACK_MS,
    )
    await failsWithin(() => store.getMany(['k', 'j']), 1_000 + SLACK_MS)
    await server.restart()
    expect(await eventually(() => store.get('k'))).toEqual(Buffer.from('before'))
    await store.close()
  })

  test('a server that accepts connections but never answers fails calls within the timeout', async () => {
    const sockets = new Set<import('node:net').Socket>()
    const silent: Server = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const store = pgStore({
      client: `postgres://postgres@127.0.0.1:${port}/postgres`,
      timeout: 500,
    })
    await failsWithin(() => store.get('k'), 500 + SLACK_MS)
    await store.close()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  test('the bus re-listens after a restart, calls onReconnect, and delivers again', async (context) => {
    if (!server) return context.skip('PostgreSQL is not installed')
    const bus = pgBus({ client: server.url, channel: 'outage_bus', timeout: 1_000 })
    const messages: string[] = []
    let reconnects = 0
    await bus.subscribe({
      onMessage: (message) => messages.push(message),
      onReconnect: () => reconnects++,
    })
    await server.kill()
    await failsWithin(() => bus.publish('lost'), 1_000 + SLACK_MS)
    await server.restart()
    await eventually(async () => expect(reconnects).toBe(1))
    await bus.publish('after restart')
    await eventually(async () => expect(messages).toEqual(['after restart']))
    await bus.close()
  })
})

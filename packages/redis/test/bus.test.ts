import { type BusListener, StoreUnavailableError } from '@stack/core'
import {
  type RedisCluster,
  type RedisServer,
  startRedis,
  startRedisCluster,
} from '@stack/test-servers/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type RedisBus, redisBus } from '../src/index.js'
import { clusterNodes } from './servers.js'

/** A listener that records what it receives and lets a test wait for it. */
class Recorder implements BusListener {
  readonly messages: string[] = []
  reconnects = 0

  onMessage(message: string): void {
    this.messages.push(message)
  }

  onReconnect(): void {
    this.reconnects++
  }

  async until(condition: () => boolean, withinMs = 5_000): Promise<void> {
    const deadline = Date.now() + withinMs
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${this.messages}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

async function pair(create: () => RedisBus): Promise<[RedisBus, Recorder, RedisBus, Recorder]> {
  const first = create()
  const second = create()
  const firstRecorder = new Recorder()
  const secondRecorder = new Recorder()
  await Promise.all([first.subscribe(firstRecorder), second.subscribe(secondRecorder)])
  return [first, firstRecorder, second, secondRecorder]
}

const server = await startRedis()

describe.skipIf(server === undefined)('redisBus on a standalone server', () => {
  let redis: RedisServer

  beforeAll(() => {
    redis = server as RedisServer
  })

  afterAll(async () => {
    await redis.stop()
  })

  test('a message reaches every subscriber, the publisher included, and only on its channel', async () => {
    const [first, firstSeen, second, secondSeen] = await pair(() =>
      redisBus({ url: redis.url, channel: 'bus-test' }),
    )
    const other = redisBus({ url: redis.url, channel: 'bus-test-other' })
    try {
      await other.publish('elsewhere')
      await first.publish('hello')
      await second.publish('ünïcödé 🔥')
      for (const seen of [firstSeen, secondSeen]) {
        await seen.until(() => seen.messages.length === 2)
        expect(seen.messages).toEqual(['hello', 'ünïcödé 🔥'])
      }
    } finally {
      await Promise.all([first.close(), second.close(), other.close()])
    }
  })

  test('after a server restart both buses resubscribe, call onReconnect, and deliver again', async () => {
    const [first, firstSeen, second, secondSeen] = await pair(() =>
      redisBus({ url: redis.url, channel: 'bus-restart', timeout: 300 }),
    )
    try {
      await redis.kill()
      await expect(first.publish('lost')).rejects.toSatisfy(StoreUnavailableError.isInstance)
      await redis.restart()
      await firstSeen.until(() => firstSeen.reconnects === 1)
      await secondSeen.until(() => secondSeen.reconnects === 1)
      await first.publish('back')
      for (const seen of [firstSeen, secondSeen]) {
        await seen.until(() => seen.messages.includes('back'))
        expect(seen.messages).toEqual(['back'])
      }
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })

  test('subscribe rejects within the timeout while the server is down, and subscribes once it is up', async () => {
    await redis.kill()
    const bus = redisBus({ url: redis.url, channel: 'bus-late', timeout: 300 })
    const seen = new Recorder()
    try {
      await expect(bus.subscribe(seen)).rejects.toSatisfy(StoreUnavailableError.isInstance)
      await redis.restart()
      // Publishing retried until the subscription is back proves it came back by itself.
      const deadline = Date.now() + 5_000
      while (seen.messages.length === 0 && Date.now() < deadline) {
        await bus.publish('hi').catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(seen.messages[0]).toBe('hi')
    } finally {
      await bus.close()
    }
  })

  test('close() is idempotent and stops delivery', async () => {
    const [first, firstSeen, second] = await pair(() =>
      redisBus({ url: redis.url, channel: 'bus-close' }),
    )
    await first.close()
    await first.close()
    await second.publish('after close')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(firstSeen.messages).toEqual([])
    await second.close()
  })
})

describe.skipIf(clusterNodes.length === 0)('redisBus on a Cluster', () => {
  test('buses started from different nodes deliver to each other', async () => {
    const [first, firstSeen, second, secondSeen] = await pair(() =>
      redisBus({ cluster: { nodes: clusterNodes }, channel: 'bus-cluster' }),
    )
    try {
      await first.publish('one')
      await second.publish('two')
      for (const seen of [firstSeen, secondSeen]) {
        await seen.until(() => seen.messages.length === 2)
        expect(seen.messages.sort()).toEqual(['one', 'two'])
      }
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })
})

const failoverCluster = await startRedisCluster(3)

describe.skipIf(failoverCluster === undefined)('redisBus on a Cluster losing a node', () => {
  afterAll(async () => {
    await failoverCluster?.stop()
  })

  test("when the subscriber's node dies the bus moves to another master and calls onReconnect", async () => {
    const cluster = failoverCluster as RedisCluster
    const bus = redisBus({ cluster: { nodes: cluster.nodes }, channel: 'bus-failover' })
    const seen = new Recorder()
    const admins = cluster.nodes.map((node) => new Redis(node.port, '127.0.0.1'))
    try {
      await bus.subscribe(seen)
      const clients = await Promise.all(admins.map((admin) => admin.client('LIST')))
      const index = clients.findIndex((list) => /\bsub=1\b/.test(String(list)))
      const doomed = cluster.nodes[index]
      expect(doomed, 'a node serving the subscription').toBeDefined()
      await cluster.killNode((doomed as { port: number }).port)
      admins[index]?.disconnect()
      await seen.until(() => seen.reconnects === 1)
      const survivor = admins[(index + 1) % admins.length] as Redis
      await survivor.publish('bus-failover', 'after failover')
      await seen.until(() => seen.messages.includes('after failover'))
    } finally {
      for (const admin of admins) admin.disconnect()
      await bus.close()
    }
  })
})

import { tracingChannel } from 'node:diagnostics_channel'
import { expect, test } from 'vitest'
import { createCache, memory, memoryStore, TRACING_CHANNELS } from '../../src/index.js'

test('loader calls and remote tier operations are traced through diagnostics_channel', async () => {
  const seen: string[] = []
  const load = tracingChannel<unknown, { key: string; error?: unknown }>(TRACING_CHANNELS.load)
  const tier = tracingChannel<unknown, { operation: string; tier: string }>(TRACING_CHANNELS.tier)
  const ignore = () => undefined
  const loadHandlers = {
    start: (ctx: { key: string }) => void seen.push(`load start ${ctx.key}`),
    end: ignore,
    asyncStart: ignore,
    asyncEnd: (ctx: { key: string }) => void seen.push(`load end ${ctx.key}`),
    error: (ctx: { key: string }) => void seen.push(`load error ${ctx.key}`),
  }
  const tierHandlers = {
    start: (ctx: { operation: string; tier: string }) =>
      void seen.push(`${ctx.operation}@${ctx.tier}`),
    end: ignore,
    asyncStart: ignore,
    asyncEnd: ignore,
    error: ignore,
  }
  load.subscribe(loadHandlers)
  tier.subscribe(tierHandlers)
  try {
    const cache = createCache({ tiers: [memory(), memoryStore()], name: 'traced' })
    await cache.getOrSet('k', () => 'v')
    await cache.getOrSet('k', () => 'v') // a local hit: not traced
    await expect(cache.getOrSet('bad', () => Promise.reject(new Error('x')))).rejects.toThrow()
    expect(seen).toEqual([
      'get@memory-store',
      'load start k',
      'load end k',
      'set@memory-store',
      'get@memory-store',
      'load start bad',
      'load error bad',
      'load end bad',
    ])
  } finally {
    load.unsubscribe(loadHandlers)
    tier.unsubscribe(tierHandlers)
  }
})

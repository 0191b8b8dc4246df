import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { createCache, memory, memoryStore } from '@stack/core'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { stackOtel } from '../src/index.js'
import { spanHarness } from './harness.js'

const contextManager = new AsyncLocalStorageContextManager()
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
})
afterAll(() => {
  context.disable()
})

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function setup(recordKeys = false) {
  const harness = spanHarness()
  const otel = stackOtel({ tracerProvider: harness.tracerProvider, recordKeys })
  cleanups.push(
    () => harness.shutdown(),
    () => otel.shutdown(),
  )
  return harness
}

test('a loader call is an internal span, tier calls are client spans, all children of the caller', async () => {
  const harness = setup()
  const cache = createCache({ name: 'users', tiers: [memory(), memoryStore()] })
  const caller = harness.tracerProvider.getTracer('app')
  await caller.startActiveSpan('GET /users/1', async (request) => {
    await cache.getOrSet('user:1', () => ({ id: 1 }))
    request.end()
  })
  const spans = harness.spans()
  const request = spans.find((span) => span.name === 'GET /users/1')
  const load = spans.find((span) => span.name === 'load users')
  const tierGet = spans.find((span) => span.name === 'get memory-store')
  const tierSet = spans.find((span) => span.name === 'set memory-store')
  expect(load?.kind).toBe(SpanKind.INTERNAL)
  expect(load?.attributes).toEqual({
    'stack.cache.name': 'users',
    'stack.cache.load.background': false,
  })
  expect(tierGet?.kind).toBe(SpanKind.CLIENT)
  expect(tierGet?.attributes).toMatchObject({
    'stack.cache.name': 'users',
    'stack.cache.tier': 'memory-store',
    'stack.cache.tier.operation': 'get',
  })
  expect(tierSet).toBeDefined()
  const requestId = request?.spanContext().spanId
  for (const span of [load, tierGet, tierSet]) {
    expect(span?.parentSpanContext?.spanId).toBe(requestId)
    expect(span?.spanContext().traceId).toBe(request?.spanContext().traceId)
  }
  await cache.close()
})

test('a failing loader ends its span with an error status, error.type and the exception', async () => {
  const harness = setup()
  const cache = createCache({ name: 'failing', tiers: [memory()] })
  await expect(
    cache.getOrSet('k', () => Promise.reject(new RangeError('out of range'))),
  ).rejects.toThrow()
  const load = harness.spans().find((span) => span.name === 'load failing')
  expect(load?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'out of range' })
  expect(load?.attributes['error.type']).toBe('RangeError')
  expect(load?.events.map((event) => event.name)).toEqual(['exception'])
  await cache.close()
})

test('keys are on spans only with recordKeys', async () => {
  const without = setup()
  const cache = createCache({ name: 'keys', tiers: [memory()] })
  await cache.getOrSet('secret:1', () => 1)
  expect(without.spans()[0]?.attributes['stack.cache.key']).toBeUndefined()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  const withKeys = setup(true)
  await cache.getOrSet('secret:2', () => 2)
  expect(withKeys.spans()[0]?.attributes['stack.cache.key']).toBe('secret:2')
  await cache.close()
})

test('after shutdown no span is made; traces: false makes none at all', async () => {
  const harness = spanHarness()
  cleanups.push(() => harness.shutdown())
  const cache = createCache({ name: 'quiet', tiers: [memory()] })
  const otel = stackOtel({ tracerProvider: harness.tracerProvider })
  otel.shutdown()
  await cache.getOrSet('a', () => 1)
  const off = stackOtel({ tracerProvider: harness.tracerProvider, traces: false })
  await cache.getOrSet('b', () => 2)
  off.shutdown()
  expect(harness.spans()).toEqual([])
  expect(trace.getActiveSpan()).toBeUndefined()
  await cache.close()
})

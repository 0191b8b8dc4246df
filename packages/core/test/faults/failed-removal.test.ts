/**
 * Issue 9: a remote delete or clear that fails in non-strict mode (the default) resolves
 * for the caller, but the removed value must not come back (guarantee 1): the key or
 * prefix is fenced, the removal retried, and `getOrSet` loads instead of serving it.
 * The fence is visible in `stats().recovery` and as a `recovery` event.
 */
import { describe, expect, test } from 'vitest'
import type { Cache } from '../../src/index.js'
import type { Fault, StoreOp } from '../support/fault-store.js'
import { expectNeverServed, faultyCache, recoveryStats } from './helpers.js'

const failures: [string, Fault][] = [
  ['throws', { kind: 'throw' }],
  ['hangs past tierTimeout', { kind: 'hang' }],
]

interface RecoveryEvent {
  readonly state: string
  readonly key?: string
  readonly prefix?: string
}

/** Listens to the `recovery` event the fixed engine emits (typed loosely until it exists). */
function recoveryEvents(cache: Cache): RecoveryEvent[] {
  const seen: RecoveryEvent[] = []
  type On = (event: string, listener: (payload: RecoveryEvent) => void) => void
  const on = cache.on.bind(cache) as unknown as On
  on('recovery', (payload) => seen.push(payload))
  return seen
}

async function failingRemoval(op: StoreOp, fault: Fault, local: boolean) {
  const { cache, store } = faultyCache({ local })
  const view = cache.namespace('n')
  await view.set('k', 'v1')
  store.inject({ op, fault, times: 1 })
  return { cache, store, view }
}

describe.each([
  { tiers: 'memory + remote', local: true },
  { tiers: 'remote only', local: false },
])('$tiers', ({ local }) => {
  test.each(failures)(
    'a delete whose remote call %s resolves and the value never comes back',
    async (_, fault) => {
      const { cache, store, view } = await failingRemoval('delete', fault, local)
      const events = recoveryEvents(cache)
      await view.delete('k') // non-strict: resolves, never rejects
      await expectNeverServed(view, 'k', 'v1')
      let calls = 0
      const loaded = await view.getOrSet('k', () => {
        calls++
        return 'loaded'
      })
      expect({ loaded, calls }).toEqual({ loaded: 'loaded', calls: 1 })
      expect(events.some((event) => event.state === 'fenced')).toBe(true)
      const recovery = recoveryStats(cache)
      expect(recovery, 'stats().recovery').toBeDefined()
      expect(recovery!.retries + recovery!.pending + recovery!.recovered).toBeGreaterThan(0)
      await store.release()
    },
  )

  test.each(failures)(
    'a namespace clear whose remote call %s resolves and getOrSet loads instead of serving the old value',
    async (_, fault) => {
      const { cache, store, view } = await failingRemoval('clear', fault, local)
      const events = recoveryEvents(cache)
      await view.clear()
      await expectNeverServed(view, 'k', 'v1')
      expect(await view.getOrSet('k', () => 'loaded')).toBe('loaded')
      expect(events.some((event) => event.state === 'fenced')).toBe(true)
      await store.release()
    },
  )

  test('a deleteMany whose remote call throws: none of the values comes back', async () => {
    const { cache, store } = faultyCache({ local })
    await cache.setMany([
      { key: 'a', value: 'va' },
      { key: 'b', value: 'vb' },
    ])
    store.inject({ op: 'delete', fault: { kind: 'throw' } })
    await cache.deleteMany(['a', 'b'])
    await expectNeverServed(cache, 'a', 'va')
    await expectNeverServed(cache, 'b', 'vb')
  })

  test('a delete that throws after applying is still a removal', async () => {
    const { view } = await failingRemoval('delete', { kind: 'throw-after-apply' }, local)
    await view.delete('k')
    await expectNeverServed(view, 'k', 'v1')
    expect(await view.getOrSet('k', () => 'loaded')).toBe('loaded')
    expect(await view.get('k')).toBe('loaded')
  })
})

test('the fence is lifted once the removal succeeds: the key is cacheable again', async () => {
  const { cache, store, view } = await failingRemoval('delete', { kind: 'throw' }, true)
  const events = recoveryEvents(cache)
  await view.delete('k')
  store.heal()
  await view.set('k', 'v2')
  expect(await view.get('k')).toBe('v2')
  await expect.poll(() => recoveryStats(cache)?.pending, { timeout: 10_000 }).toBe(0)
  expect(recoveryStats(cache)?.fenced).toBe(0)
  expect(events.map((event) => event.state)).toContain('fenced')
}, 15_000)

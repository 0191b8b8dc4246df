/**
 * Issue 9, "what breaks today": a remote write still on its way (a load's write, a
 * backfill, a timed-out or late-landing set; write-behind: write-behind.test.ts) must not undo a delete, a newer set or a namespace
 * clear that resolved before it landed (guarantees 1 and 2). Each remote write is held
 * by the fault store and released only after the later mutation resolved.
 */
import { describe, expect, test } from 'vitest'
import { createCache, memoryStore } from '../../src/index.js'
import { faultStore } from '../support/fault-store.js'
import { expectNeverServed, faultyCache, laterMutations, TIER_TIMEOUT } from './helpers.js'

describe.each([
  { tiers: 'memory + remote', local: true },
  { tiers: 'remote only', local: false },
])('$tiers', ({ local }) => {
  test.each(laterMutations)(
    'a load whose remote write is slow does not land over a %s that resolved during it',
    async (_, mutate) => {
      const { cache, store } = faultyCache({ local })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
      const loading = view.getOrSet('k', () => 'v1')
      await store.waitForHeld(1, 'set')
      await mutate(view)
      await store.release()
      expect(await loading).toBe('v1') // fine: the load began before the mutation
      await expectNeverServed(view, 'k', 'v1')
    },
  )

  test.each(laterMutations)(
    'a set that timed out (tierTimeout) and lands later does not undo a later %s',
    async (_, mutate) => {
      const { cache, store } = faultyCache({ local })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
      await view.set('k', 'v1').catch(() => undefined) // times out: counted, or rejected
      await mutate(view)
      await store.release() // the timed-out write lands now
      await expectNeverServed(view, 'k', 'v1')
    },
  )

  test.each(laterMutations)(
    'a write answered as failed but applied later does not undo a later %s',
    async (_, mutate) => {
      const { cache, store } = faultyCache({ local })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'late', answer: 'reject' }, times: 1 })
      await view.set('k', 'v1').catch(() => undefined)
      await mutate(view)
      await store.release()
      await expectNeverServed(view, 'k', 'v1')
    },
  )
})

describe('backfill', () => {
  /** Tier A (faulty, empty) above tier B, which holds v1 written by another process. */
  async function backfilling() {
    const lower = memoryStore()
    await createCache({ tiers: [lower] }).set('k', 'v1')
    const upper = faultStore(memoryStore())
    const cache = createCache({ tiers: [upper, lower], tierTimeout: TIER_TIMEOUT })
    upper.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    expect(await cache.get('k')).toBe('v1') // found in B; A's backfill now hangs
    await upper.waitForHeld(1, 'set')
    return { cache, upper }
  }

  test.each(laterMutations)(
    'a backfill still in flight does not undo a %s that resolved meanwhile',
    async (_, mutate) => {
      const { cache, upper } = await backfilling()
      await mutate(cache) // for the root cache, "namespace clear" is clear()
      await upper.release()
      await expectNeverServed(cache, 'k', 'v1')
    },
  )
})

/**
 * Issue 9, write-behind: a remote write still waiting in the queue (or stuck behind a
 * hanging one) must not land over a delete, a newer set or a namespace clear that
 * resolved before it (guarantees 1 and 2).
 */
import { describe, test } from 'vitest'
import { expectNeverServed, faultyCache, laterMutations, settle } from './helpers.js'

describe.each([
  { tiers: 'memory + remote', local: true },
  { tiers: 'remote only', local: false },
])('$tiers', ({ local }) => {
  test.each(laterMutations)(
    'a write-behind write still queued does not land over a later %s',
    async (_, mutate) => {
      const { cache, store } = faultyCache({ local, extra: { writePolicy: 'write-behind' } })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
      await view.set('k', 'v1')
      await store.waitForHeld(1, 'set')
      await mutate(view) // bounded by tierTimeout even if it waits for the queued write
      await store.release()
      await expectNeverServed(view, 'k', 'v1')
    },
  )
})

describe('write-behind writes queued behind another key', () => {
  test.each(laterMutations)(
    'a queued write stuck behind a hanging one does not land over a later %s',
    async (_, mutate) => {
      const { cache, store } = faultyCache({ extra: { writePolicy: 'write-behind' } })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
      await cache.set('blocker', 'first in the queue') // its remote write hangs
      await store.waitForHeld(1, 'set')
      await view.set('k', 'v1') // queued behind it
      await mutate(view)
      await store.release()
      await expectNeverServed(view, 'k', 'v1')
    },
  )

  test.each(laterMutations)(
    'a queued write does not land over a later %s when the hanging write ahead of it is deleted',
    async (_, mutate) => {
      const { cache, store } = faultyCache({ extra: { writePolicy: 'write-behind' } })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
      await cache.set('blocker', 'first in the queue') // its remote write hangs
      await store.waitForHeld(1, 'set')
      await view.set('k', 'v1') // queued behind it
      await mutate(view)
      await cache.delete('blocker') // supersedes the hanging write: the queue moves on
      await expectNeverServed(view, 'k', 'v1')
      await store.release()
      await expectNeverServed(view, 'k', 'v1')
    },
  )

  // Found by the guarantee model (profile hangs) on the rewritten engine.
  test.each(laterMutations)(
    "a load's write and a set of the key, both queued behind a hanging write, do not land over a later %s",
    async (_, mutate) => {
      const { cache, store } = faultyCache({ local: true, extra: { writePolicy: 'write-behind' } })
      const view = cache.namespace('n')
      store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
      await cache.set('blocker', 'first in the queue') // its remote write hangs
      await store.waitForHeld(1, 'set')
      const loading = view.getOrSet('k', () => 'loaded') // its write queues up
      await settle(1)
      await view.set('k', 'v1') // so does this one
      await loading
      await mutate(view)
      await expectNeverServed(view, 'k', 'v1') // the hanging write times out meanwhile
      await store.release()
      await expectNeverServed(view, 'k', 'v1')
    },
  )
})

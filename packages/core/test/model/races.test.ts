/**
 * Minimal reproductions of the races the scheduler properties in concurrency.test.ts
 * found. Each holds store answers back by hand, so the interleaving is fixed and
 * readable; the store still applies and answers calls in the order they were made, as
 * one connection to Redis or Memcached does.
 */
import { describe, expect, test } from 'vitest'
import {
  type CacheEntry,
  createCache,
  memory,
  memoryStore,
  type RemoteStore,
} from '../../src/index.js'
import { settle } from './system.js'

/**
 * A store that applies each call at once; between `hold()` and `release()` it keeps the
 * answers back, then gives them in call order, as slow replies on one connection would.
 */
function heldBack(inner: RemoteStore) {
  const waiting: (() => void)[] = []
  let holding = false
  const answerLater = async <R>(applied: Promise<R>): Promise<R> => {
    const answered = holding ? new Promise<void>((resolve) => waiting.push(resolve)) : undefined
    const result = await applied
    await answered
    return result
  }
  const store: RemoteStore = {
    ...inner,
    get: (key) => answerLater(inner.get(key)),
    set: (key, value, expiresAt) => answerLater(inner.set(key, value, expiresAt)),
    delete: (key) => answerLater(inner.delete(key)),
  }
  return {
    store,
    hold() {
      holding = true
    },
    /** Answers one held call per event-loop turn, as separate network replies arrive. */
    async release() {
      holding = false
      for (const resolve of waiting.splice(0)) {
        resolve()
        await settle()
      }
    },
  }
}

async function seeded(value: string) {
  const store = memoryStore()
  await createCache({ tiers: [store] }).set('k', value)
  return store
}

describe('a delete racing a read or a load', () => {
  test('a remote read answered after a delete began does not backfill the deleted value into the memory tier', async () => {
    const remote = heldBack(await seeded('before-delete'))
    const local = memory<CacheEntry>()
    const cache = createCache({ tiers: [local, remote.store] })

    remote.hold()
    const reading = cache.get('k') // the remote tier reads now, answers later
    await settle()
    const deleting = cache.delete('k')
    await remote.release()
    expect(await reading).toBe('before-delete') // fine: the read began before the delete
    await deleting

    expect(local.peek('k')?.value).toBeUndefined()
    expect(await cache.get('k')).toBeUndefined()
  })

  test('a lower-tier read answered after a delete began does not backfill the deleted value into the tier above', async () => {
    const upper = memoryStore()
    const lower = heldBack(await seeded('before-delete'))
    const cache = createCache({ tiers: [upper, lower.store] })

    lower.hold()
    const reading = cache.get('k') // misses the upper tier; the lower one answers later
    await settle()
    const deleting = cache.delete('k')
    await lower.release()
    expect(await reading).toBe('before-delete')
    await deleting
    await settle()

    expect(await upper.get('k')).toBeUndefined()
    expect(await cache.get('k')).toBeUndefined()
  })

  test('a load whose write is in flight when a delete begins does not leave its value in the memory tier', async () => {
    const remote = heldBack(memoryStore())
    const local = memory<CacheEntry>()
    const cache = createCache({ tiers: [local, remote.store] })

    const loading = cache.getOrSet('k', () => {
      remote.hold() // from the write of this value on
      return 'loaded-before-delete'
    })
    await settle() // loaded; the remote write is applied, its answer held back
    const deleting = cache.delete('k')
    await remote.release()
    await loading
    await deleting

    expect(local.peek('k')?.value).toBeUndefined()
    expect(await cache.get('k')).toBeUndefined()
  })
})

describe('single-flight across a delete', () => {
  test('a getOrSet called after delete resolved starts a new load instead of joining the old one', async () => {
    const cache = createCache({ tiers: [memoryStore()] })
    let answer!: (value: string) => void
    const before = cache.getOrSet('k', () => new Promise<string>((resolve) => (answer = resolve)))
    await settle()
    await cache.delete('k')
    const after = cache.getOrSet('k', () => 'loaded-after-delete')
    answer('loaded-before-delete')

    expect(await before).toBe('loaded-before-delete')
    expect(await after).toBe('loaded-after-delete')
  })
})

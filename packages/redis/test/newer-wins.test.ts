/**
 * Newer wins across caches sharing a real Redis (docs/engine.md, "Across processes"): a
 * write from cache A held back until cache B changed the key lands older than B's change
 * and is refused; without conditional writes it wins (the documented window).
 */
import { randomUUID } from 'node:crypto'
import { createCache, memory, type RemoteStore } from '@stack/core'
import { afterAll, describe, expect, test } from 'vitest'
import { redisStore } from '../src/index.js'
import { clusterNodes, redisUrl } from './servers.js'

/** `inner` with its next write (`set` or `setIfNewer`) held until `release()`. */
function holding(inner: RemoteStore) {
  let armed = false
  let reached = () => {}
  let release = () => {}
  const store = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (property !== 'set' && property !== 'setIfNewer') return value.bind(target)
      return async (...args: unknown[]) => {
        if (armed) {
          armed = false
          reached()
          await new Promise<void>((resolve) => {
            release = resolve
          })
        }
        return value.apply(target, args)
      }
    },
  })
  return {
    store,
    /** Holds the next write; resolves once it arrived. */
    holdNext(): Promise<void> {
      armed = true
      return new Promise((resolve) => {
        reached = resolve
      })
    },
    release: () => release(),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const layouts = [
  ['standalone', redisUrl === undefined ? undefined : { url: redisUrl }],
  ['cluster', clusterNodes === undefined ? undefined : { cluster: { nodes: clusterNodes } }],
] as const

describe.each(layouts)('newer wins on Redis (%s)', (_, connection) => {
  const stores: RemoteStore[] = []
  afterAll(() => Promise.all(stores.map((store) => store.close())))
  const skip = connection === undefined

  /** Two caches (A's writes can be held) and a fresh reader, on one key prefix. */
  function world(conditionalWrites = true) {
    const keyPrefix = `newer:${randomUUID()}:`
    const open = () => {
      const store = redisStore({ ...connection, keyPrefix, conditionalWrites })
      stores.push(store)
      return store
    }
    const held = holding(open())
    const a = createCache({ tiers: [memory(), held.store], ttl: '1m' })
    const b = createCache({ tiers: [memory(), open()], ttl: '1m' })
    const fresh = (key: string) => createCache({ tiers: [open()] }).get(key)
    return { a, b, held, fresh }
  }

  test.skipIf(skip)("A's slow older set lands after B's newer set: B's value stays", async () => {
    const { a, b, held, fresh } = world()
    const arrived = held.holdNext()
    const writing = a.set('k', 'older')
    await arrived
    await sleep(5) // B's change is newer by the clock
    await b.set('k', 'newer')
    held.release()
    await writing
    expect(await fresh('k')).toBe('newer')
    expect(await a.get('k')).toBe('newer')
  })

  test.skipIf(skip)(
    "A's slow older set lands after B's delete: the key stays deleted",
    async () => {
      const { a, b, held, fresh } = world()
      await b.set('k', 'first')
      const arrived = held.holdNext()
      const writing = a.set('k', 'older')
      await arrived
      await sleep(5)
      await b.delete('k')
      held.release()
      await writing
      expect(await fresh('k')).toBeUndefined()
      expect(await a.get('k')).toBeUndefined()
    },
  )

  test.skipIf(skip)("a load A began before B's delete does not write afterwards", async () => {
    const { a, b, fresh } = world()
    let finish = (_: string) => {}
    let started = () => {}
    const loaderStarted = new Promise<void>((resolve) => {
      started = resolve
    })
    const loading = a.getOrSet('k', () => {
      started()
      return new Promise<string>((resolve) => {
        finish = resolve
      })
    })
    await loaderStarted // the loaded value is as old as this moment
    await sleep(5)
    await b.delete('k')
    finish('read before the delete')
    expect(await loading).toBe('read before the delete')
    expect(await fresh('k')).toBeUndefined()
  })

  test.skipIf(skip)('without conditional writes the older write wins (the window)', async () => {
    const { a, b, held, fresh } = world(false)
    const arrived = held.holdNext()
    const writing = a.set('k', 'older')
    await arrived
    await sleep(5)
    await b.set('k', 'newer')
    held.release()
    await writing
    expect(await fresh('k')).toBe('older')
  })
})

/**
 * Newer wins across processes (docs/engine.md, "Across processes"): caches sharing one
 * memoryStore, which has conditional writes, stand for processes sharing a conditional
 * backend. Each "process" reaches the shared store through its own fault store, so one
 * process' write can be held back and land after another process' newer change.
 */
import { describe, expect, test } from 'vitest'
import {
  type Cache,
  type CacheOptions,
  createCache,
  InvalidOptionError,
  memory,
  memoryStore,
  type RemoteStore,
} from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { type FaultStore, faultStore } from '../support/fault-store.js'
import { settle } from './helpers.js'

/** One shared store and a fake clock every process reads (synchronised clocks). */
function world() {
  const clock = fakeClock()
  const shared = memoryStore({ clock: clock.now })
  /** A process: its own memory tier, and the shared store behind a fault store. */
  const process = (
    options: Partial<CacheOptions> & { conditional?: boolean } = {},
  ): { cache: Cache; store: FaultStore } => {
    const { conditional, ...cacheOptions } = options
    const store = faultStore(shared, conditional === undefined ? {} : { conditional })
    const cache = createCache({
      tiers: [memory(), store],
      clock: clock.now,
      tierTimeout: '1m',
      ttl: '1h',
      ...cacheOptions,
    })
    return { cache, store }
  }
  /** What a process that never cached anything reads from the shared store now. */
  const fresh = (key: string) => createCache({ tiers: [shared], clock: clock.now }).get(key)
  return { clock, shared, process, fresh }
}

/** A promise the test resolves by hand. */
function gate<T>() {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

describe('newer wins on a shared tier with conditional writes', () => {
  test("a slow older set from A lands after B's newer set: B's value stays, in the tier and in A", async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process()
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    const writing = a.cache.set('k', 'older')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.set('k', 'newer')
    await a.store.release()
    await writing
    expect(await fresh('k')).toBe('newer')
    // A's own memory tier does not keep the value the shared tier refused.
    expect(await a.cache.get('k')).toBe('newer')
    expect(await b.cache.get('k')).toBe('newer')
  })

  test("a slow older set from A lands after B's delete: the key stays deleted", async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process()
    await b.cache.set('k', 'first')
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    clock.advance(1)
    const writing = a.cache.set('k', 'older')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.delete('k')
    await a.store.release()
    await writing
    expect(await fresh('k')).toBeUndefined()
    expect(await a.cache.get('k')).toBeUndefined()
  })

  test("a load that began in A before B's delete does not write its older value afterwards", async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process()
    const loaded = gate<string>()
    const loading = a.cache.getOrSet('k', () => loaded.promise)
    await settle()
    clock.advance(5)
    await b.cache.delete('k')
    clock.advance(5)
    loaded.open('read before the delete')
    expect(await loading).toBe('read before the delete') // its own callers still get it
    expect(await fresh('k')).toBeUndefined()
    expect(await a.cache.get('k')).toBeUndefined()
  })

  test('a load that began after the delete writes normally, and so does a set in the same millisecond', async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process()
    await b.cache.delete('k')
    // Ties go to the call that lands last: a write of the delete's own millisecond lands.
    expect(await a.cache.getOrSet('k', async () => 'loaded after')).toBe('loaded after')
    expect(await fresh('k')).toBe('loaded after')
    await b.cache.delete('k')
    await b.cache.set('k', 'set after')
    expect(await fresh('k')).toBe('set after')
    clock.advance(1)
    expect(await a.cache.get('k')).toBe('loaded after') // A's memory copy: no bus here
  })

  test('the tombstone is bounded: an older write landing after tombstoneTtl is accepted', async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process({ tombstoneTtl: '2s' })
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    const writing = a.cache.set('k', 'older')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.delete('k')
    clock.advance(2_000)
    await a.store.release()
    await writing
    expect(await fresh('k')).toBe('older')
  })

  test('tombstoneTtl 0 deletes without a tombstone', async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process({ tombstoneTtl: 0 })
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    const writing = a.cache.set('k', 'older')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.delete('k')
    await a.store.release()
    await writing
    expect(await fresh('k')).toBe('older')
  })

  test("write-behind: A's queued older write refused by B's newer set leaves A's memory tier too", async () => {
    const { clock, process, fresh } = world()
    const a = process({ writePolicy: 'write-behind' })
    const b = process()
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    await a.cache.set('k', 'older') // queued; A's memory tier has it now
    expect(await a.cache.get('k')).toBe('older')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.set('k', 'newer')
    await a.store.release()
    await settle()
    expect(await fresh('k')).toBe('newer')
    expect(await a.cache.get('k')).toBe('newer')
  })

  test("write-behind: a later write of A's own is kept when an earlier one is refused", async () => {
    const { clock, process, fresh } = world()
    const a = process({ writePolicy: 'write-behind' })
    const b = process()
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    await a.cache.set('k', 'a1')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.set('k', 'b')
    clock.advance(10)
    await a.cache.set('k', 'a2') // queued behind a1; A's memory tier holds a2
    await a.store.release()
    await settle()
    expect(await fresh('k')).toBe('a2')
    expect(await a.cache.get('k')).toBe('a2')
  })

  test('setMany: each key is decided on its own', async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process()
    a.store.inject({ op: 'set', key: '#x', fault: { kind: 'hang' }, times: 1 })
    const writing = a.cache.setMany([
      { key: 'x', value: 'a-x' },
      { key: 'y', value: 'a-y' },
    ])
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.set('x', 'b-x')
    await a.store.release()
    await writing
    expect(await fresh('x')).toBe('b-x')
    expect(await fresh('y')).toBe('a-y')
    expect(await a.cache.getMany(['x', 'y'])).toEqual(['b-x', 'a-y'])
  })

  test("deleteMany: B's older delete landing late does not remove A's newer value", async () => {
    const { clock, process, fresh } = world()
    const a = process()
    const b = process()
    await a.cache.setMany([
      { key: 'x', value: 'x0' },
      { key: 'y', value: 'y0' },
    ])
    b.store.inject({ op: 'delete', key: '#x', fault: { kind: 'hang' }, times: 1 })
    clock.advance(1)
    const deleting = b.cache.deleteMany(['x', 'y'])
    await b.store.waitForHeld()
    clock.advance(10)
    await a.cache.set('x', 'x1')
    await b.store.release()
    await deleting
    expect(await fresh('x')).toBe('x1')
    expect(await fresh('y')).toBeUndefined()
  })

  test('a backfill of an entry older than a delete on the tier above is refused', async () => {
    const clock = fakeClock()
    const upper = memoryStore({ clock: clock.now })
    const lower = memoryStore({ clock: clock.now })
    const options = { clock: clock.now, ttl: '1h' }
    await createCache({ ...options, tiers: [lower] }).set('k', 'old')
    clock.advance(10)
    await createCache({ ...options, tiers: [upper] }).delete('k')
    const a = createCache({ ...options, tiers: [upper, lower] })
    expect(await a.get('k')).toBe('old') // served from the lower tier...
    await settle()
    expect(await upper.get('#k')).toBeUndefined() // ...and not copied over the delete
  })

  test('a clock stepping back in one process never makes its later set lose to its earlier one', async () => {
    const { clock, process, fresh } = world()
    const a = process()
    await a.cache.set('k', 'first')
    clock.advance(-60_000)
    await a.cache.set('k', 'second')
    expect(await a.cache.get('k')).toBe('second')
    expect(await fresh('k')).toBe('second')
    await a.cache.delete('k')
    await a.cache.set('k', 'third')
    expect(await fresh('k')).toBe('third')
  })

  test("a tag timestamp: A's older invalidation landing late does not replace B's newer one", async () => {
    const { clock, process } = world()
    const options = { tagSyncInterval: 0 }
    const a = process(options)
    const b = process(options)
    const c = process(options)
    a.store.inject({ op: 'set', key: /!tag:i:/, fault: { kind: 'hang' }, times: 1 })
    const invalidating = a.cache.invalidateTags(['t'])
    await a.store.waitForHeld()
    clock.advance(5)
    await c.cache.set('k', 'between', { tags: ['t'] }) // after A's change, before B's
    clock.advance(5)
    await b.cache.invalidateTags(['t'])
    await a.store.release()
    await invalidating
    clock.advance(1)
    const reader = process(options)
    expect(await reader.cache.get('k')).toBeUndefined()
  })
})

describe('without conditional writes: the coherence window', () => {
  test('a load that began before another process deleted may write afterwards (last writer wins)', async () => {
    const { clock, process, fresh } = world()
    const a = process({ conditional: false })
    const b = process({ conditional: false })
    const loaded = gate<string>()
    const loading = a.cache.getOrSet('k', () => loaded.promise)
    await settle()
    clock.advance(5)
    await b.cache.delete('k')
    loaded.open('older')
    await loading
    expect(await fresh('k')).toBe('older')
  })

  test("a slow older set lands over another process' newer one", async () => {
    const { clock, process, fresh } = world()
    const a = process({ conditional: false })
    const b = process({ conditional: false })
    a.store.inject({ op: 'set', fault: { kind: 'hang' }, times: 1 })
    const writing = a.cache.set('k', 'older')
    await a.store.waitForHeld()
    clock.advance(10)
    await b.cache.set('k', 'newer')
    await a.store.release()
    await writing
    expect(await fresh('k')).toBe('older')
  })
})

describe('configuration', () => {
  test('tombstoneTtl must be a finite duration >= 0', () => {
    for (const tombstoneTtl of [-1, Number.POSITIVE_INFINITY, Number.NaN, 'soon']) {
      expect(() => createCache({ tiers: [memoryStore()], tombstoneTtl } as CacheOptions)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'tombstoneTtl' }),
      )
    }
  })

  test('a store declaring conditionalWrite without the methods is refused by name', () => {
    const inner = memoryStore()
    const liar: RemoteStore = {
      name: 'liar',
      contractVersion: inner.contractVersion,
      capabilities: { ...inner.capabilities, conditionalWrite: true },
      get: (key) => inner.get(key),
      set: (key, value, expiresAt) => inner.set(key, value, expiresAt),
      delete: (key) => inner.delete(key),
      clear: (prefix) => inner.clear(prefix),
      close: () => inner.close(),
    }
    expect(() => createCache({ tiers: [liar] })).toThrow(InvalidOptionError)
    expect(() => createCache({ tiers: [liar] })).toThrow(/liar.*conditionalWrite/)
  })
})

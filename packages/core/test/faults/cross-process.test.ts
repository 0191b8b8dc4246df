/**
 * The cross-process rules of docs/engine.md ("The engine's contract"), each checked with
 * caches sharing one store, as processes would: what a bus delivers, what tags hold
 * whatever the timing, and the last-writer-wins window on a shared tier without
 * conditional writes (newer-wins.test.ts covers tiers with them).
 */
import { describe, expect, test } from 'vitest'
import { createCache, MemoryBusHub, memory, memoryStore } from '../../src/index.js'
import { fakeClock } from '../cache/helpers.js'
import { faultStore } from '../support/fault-store.js'
import { settle } from './helpers.js'

/** A promise the test resolves by hand. */
function gate<T>() {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

describe('across processes', () => {
  test('after a delete resolves and its message is delivered, no other memory tier serves the value', async () => {
    const hub = new MemoryBusHub()
    const shared = memoryStore()
    const [a, b, c] = [0, 1, 2].map(() =>
      createCache({ tiers: [memory(), shared], bus: hub.bus() }),
    )
    await a?.set('k', 'v1')
    expect(await b?.get('k')).toBe('v1')
    expect(await c?.get('k')).toBe('v1')
    await a?.delete('k')
    await settle()
    expect(await b?.get('k')).toBeUndefined()
    expect(await c?.get('k')).toBeUndefined()
  })

  test("a tag invalidation kills a value another process' slow load writes afterwards", async () => {
    const clock = fakeClock()
    const shared = memoryStore({ clock: clock.now })
    const options = { clock: clock.now, tagSyncInterval: 0 }
    const a = createCache({ ...options, tiers: [shared] })
    const b = createCache({ ...options, tiers: [shared] })
    const loaded = gate<string>()
    // b starts loading (its value is read from the source now), a invalidates the tag,
    // then b's load finishes and writes its older value to the shared tier.
    let started = false
    const loading = b.getOrSet(
      'k',
      () => {
        started = true
        return loaded.promise
      },
      { tags: ['t'] },
    )
    await settle()
    expect(started).toBe(true)
    clock.advance(5)
    await a.invalidateTags(['t'])
    clock.advance(5)
    loaded.open('from before the invalidation')
    expect(await loading).toBe('from before the invalidation') // its own caller gets it
    const reader = createCache({ ...options, tiers: [shared] })
    expect(await reader.get('k')).toBeUndefined()
    expect(await a.get('k')).toBeUndefined()
  })

  test('the documented window: without tags, on a store without conditional writes, a load that began before another process deleted may write afterwards', async () => {
    const shared = faultStore(memoryStore(), { conditional: false })
    const a = createCache({ tiers: [shared] })
    const b = createCache({ tiers: [shared] })
    const loaded = gate<string>()
    const loading = b.getOrSet('k', () => loaded.promise)
    await settle()
    await a.delete('k')
    loaded.open('older')
    await loading
    // Last writer wins on the shared tier: the window docs/engine.md names. In the deleting
    // process' own reads the delete holds only until the next remote read. With conditional
    // writes (core's memoryStore, Redis, PostgreSQL, SQLite) see newer-wins.test.ts.
    expect(await createCache({ tiers: [shared] }).get('k')).toBe('older')
  })

  test("a namespace clear in one process reaches other processes' memory tiers, and only that namespace", async () => {
    const hub = new MemoryBusHub()
    const shared = memoryStore()
    const a = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    const b = createCache({ tiers: [memory(), shared], bus: hub.bus() })
    await a.namespace('t1').set('k', 'one')
    await a.namespace('t1:x').set('k', 'lookalike')
    expect(await b.namespace('t1').get('k')).toBe('one')
    expect(await b.namespace('t1:x').get('k')).toBe('lookalike')
    await a.namespace('t1').clear()
    await settle()
    expect(await b.namespace('t1').get('k')).toBeUndefined()
    expect(await b.namespace('t1:x').get('k')).toBe('lookalike')
  })
})

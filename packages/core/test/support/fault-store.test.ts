/** The fault store itself: each fault does what its header comment promises. */
import { describe, expect, test } from 'vitest'
import { memoryStore, StoreUnavailableError } from '../../src/index.js'
import { faultStore } from './fault-store.js'

const bytes = (...values: number[]) => Uint8Array.from(values)
const FOREVER = Number.POSITIVE_INFINITY

async function seeded() {
  const store = faultStore(memoryStore(), { seed: 3 })
  await store.inner.set('a', bytes(1, 2, 3, 4), FOREVER)
  await store.inner.set('b', bytes(9, 9), FOREVER)
  return store
}

describe('fault store', () => {
  test('throw rejects without applying; throw-after-apply applies then rejects', async () => {
    const store = await seeded()
    store.inject({ op: 'set', fault: { kind: 'throw' }, times: 1 })
    await expect(store.set('a', bytes(7), FOREVER)).rejects.toSatisfy(
      StoreUnavailableError.isInstance,
    )
    expect(await store.get('a')).toEqual(bytes(1, 2, 3, 4))
    store.inject({ op: 'delete', key: 'a', fault: { kind: 'throw-after-apply' } })
    await expect(store.delete('a')).rejects.toThrow(/injected fault on delete "a"/)
    expect(await store.get('a')).toBeUndefined()
  })

  test('hang holds the call until release, then applies and answers', async () => {
    const store = await seeded()
    store.inject({ op: 'set', fault: { kind: 'hang' } })
    let answered = false
    const writing = store.set('a', bytes(5), FOREVER).then(() => (answered = true))
    await store.waitForHeld(1, 'set')
    expect(store.held).toEqual([{ op: 'set', key: 'a', fault: 'hang' }])
    expect(await store.inner.get('a')).toEqual(bytes(1, 2, 3, 4))
    expect(answered).toBe(false)
    await store.release()
    await writing
    expect(await store.inner.get('a')).toEqual(bytes(5))
  })

  test('late answers at once and applies on release (or after a delay)', async () => {
    const delays: (() => void)[] = []
    const store = faultStore(memoryStore(), {
      sleep: () => new Promise<void>((resolve) => delays.push(resolve)),
    })
    store.inject({ op: 'set', key: 'x', fault: { kind: 'late', answer: 'reject' }, times: 1 })
    await expect(store.set('x', bytes(1), FOREVER)).rejects.toThrow(/injected/)
    expect(await store.get('x')).toBeUndefined()
    await store.release()
    expect(await store.get('x')).toEqual(bytes(1))

    store.inject({ op: 'delete', fault: { kind: 'late', answer: 'resolve', applyAfterMs: 10 } })
    await store.delete('x')
    expect(await store.get('x')).toEqual(bytes(1))
    delays.shift()!()
    await new Promise((resolve) => setImmediate(resolve))
    expect(await store.get('x')).toBeUndefined()
  })

  test('conditional writes take the faults of set and delete, and answer what the inner store decided', async () => {
    const store = await seeded()
    expect(store.capabilities.conditionalWrite).toBe(true)
    store.inject({ op: 'set', key: 'a', fault: { kind: 'hang' }, times: 1 })
    const writing = store.setIfNewer!('a', bytes(5), FOREVER, 100)
    await store.waitForHeld(1, 'set')
    expect(await store.inner.get('a')).toEqual(bytes(1, 2, 3, 4))
    await store.release()
    expect(await writing).toBe(true)
    expect(await store.setIfNewer!('a', bytes(6), FOREVER, 99)).toBe(false)
    expect(store.writtenKeys).toContain('a')

    store.inject({ op: 'delete', key: 'a', fault: { kind: 'throw' }, times: 1 })
    await expect(store.deleteIfNewer!('a', 200, Date.now() + 60_000)).rejects.toThrow(/injected/)
    expect(await store.get('a')).toEqual(bytes(5))
    store.inject({ op: 'set', key: 'b', fault: { kind: 'late', answer: 'resolve' }, times: 1 })
    expect(await store.setIfNewer!('b', bytes(7), FOREVER, 1)).toBe(true) // answered, not applied
    expect(await store.get('b')).toEqual(bytes(9, 9))
  })

  test('conditional: false hides conditional writes, capability included', () => {
    const store = faultStore(memoryStore(), { conditional: false })
    expect(store.capabilities.conditionalWrite).toBe(false)
    expect(store.setIfNewer).toBeUndefined()
    expect(store.deleteIfNewer).toBeUndefined()
  })

  test('slow waits through the injected sleep', async () => {
    const delays: number[] = []
    const store = faultStore(memoryStore(), {
      sleep: (ms) => {
        delays.push(ms)
        return Promise.resolve()
      },
    })
    store.inject({ op: 'get', fault: { kind: 'slow', ms: 25 } })
    await store.get('a')
    expect(delays).toEqual([25])
  })

  test('corrupt reads: truncated, bit-flipped, foreign, another key', async () => {
    const store = await seeded()
    const read = async (how: Parameters<typeof corruptOnce>[1]) => corruptOnce(store, how)
    const truncated = await read('truncate')
    expect(truncated!.byteLength).toBeLessThan(4)
    const flipped = await read('bit-flip')
    const diff = [...flipped!].map((b, i) => b ^ (bytes(1, 2, 3, 4)[i] as number))
    expect(diff.map((d) => d.toString(2).replaceAll('0', '')).join('')).toBe('1')
    expect((await read('foreign'))!.byteLength).toBeGreaterThanOrEqual(16)
    expect(await read({ bytesOf: 'b' })).toEqual(bytes(9, 9))
    expect(await store.get('a')).toEqual(bytes(1, 2, 3, 4)) // rules used up
  })

  test('the same seed gives the same corruption', async () => {
    const [one, two] = [await seeded(), await seeded()]
    expect(await corruptOnce(one, 'foreign')).toEqual(await corruptOnce(two, 'foreign'))
  })

  test('batch calls split into single calls so per-key rules apply', async () => {
    const store = await seeded()
    store.inject({ op: 'get', key: 'b', fault: { kind: 'throw' } })
    await expect(store.getMany!(['a', 'b'])).rejects.toThrow(/"b"/)
    store.inject({ op: 'set', key: /^y/, fault: { kind: 'throw' } })
    await expect(
      store.setMany!([
        { key: 'x', value: bytes(1), expiresAt: FOREVER },
        { key: 'y', value: bytes(2), expiresAt: FOREVER },
      ]),
    ).rejects.toThrow()
    expect(await store.inner.get('x')).toEqual(bytes(1))
    expect(store.writtenKeys).toEqual(['x'])
  })

  test('a hanging close never answers until released; heal removes rules', async () => {
    const store = await seeded()
    store.inject({ op: 'close', fault: { kind: 'hang' } })
    let closed = false
    const closing = store.close().then(() => (closed = true))
    await store.waitForHeld(1, 'close')
    expect(closed).toBe(false)
    store.heal()
    await store.release('close')
    await closing
    expect(closed).toBe(true)
  })

  test('a policy decides calls no rule matched', async () => {
    const store = await seeded()
    store.setPolicy((op, key) => (op === 'get' && key === 'a' ? { kind: 'throw' } : undefined))
    await expect(store.get('a')).rejects.toThrow()
    expect(await store.get('b')).toEqual(bytes(9, 9))
  })
})

function corruptOnce(
  store: Awaited<ReturnType<typeof seeded>>,
  how: 'truncate' | 'bit-flip' | 'foreign' | { bytesOf: string },
) {
  store.inject({ op: 'get', key: 'a', fault: { kind: 'corrupt', how }, times: 1 })
  return store.get('a')
}

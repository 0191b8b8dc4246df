import { describe, expect, test, vi } from 'vitest'
import { createCache, InvalidKeyError, memory, wrap } from '../../src/index.js'
import { gate, settleCallbacks } from './gate.js'

function versioned() {
  let version = 0
  return vi.fn(async (id: string | number) => `${id}@${++version}`)
}

describe('wrap helpers', () => {
  test('get never calls the original; set is served without calling it; original bypasses', async () => {
    const cache = createCache({ tiers: [memory()] })
    const load = versioned()
    const wrapped = wrap(cache, load, { key: 'item:{0}' })
    expect(await wrapped.get('a')).toBeUndefined()
    expect(load).not.toHaveBeenCalled()
    await wrapped.set('preset', 'a')
    expect(await wrapped('a')).toBe('preset')
    expect(await wrapped.get('a')).toBe('preset')
    expect(load).not.toHaveBeenCalled()
    expect(wrapped.original).toBe(load)
    expect(await wrapped.original('a')).toBe('a@1')
    expect(await wrapped('a')).toBe('preset')
    expect(wrapped.key('a')).toBe('item:a')
  })

  test('invalidate removes the entry of any arguments that map to the same key', async () => {
    const cache = createCache({ tiers: [memory()] })
    const load = versioned()
    const byTemplate = wrap(cache, load, { key: 'item:{0}' })
    await byTemplate('1')
    // '1' and 1 give the same template key, so invalidating one removes the other's entry.
    expect(await byTemplate.invalidate(1)).toBe(true)
    expect(await byTemplate.invalidate('1')).toBe(false)
    expect(await byTemplate('1')).toBe('1@2')

    const byDefault = wrap(cache, async (n: number, _flag?: boolean) => n * 10, { name: 'tens' })
    await byDefault(0)
    // Trailing undefined is dropped and -0 is 0: both name the entry of byDefault(0).
    expect(await byDefault.invalidate(-0, undefined)).toBe(true)
    expect(await byDefault.get(0)).toBeUndefined()
  })

  test('invalidate during a load: the loaded value is not cached', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    let version = 0
    const load = vi.fn(async (id: string) => {
      const mine = ++version
      if (mine === 1) await held.wait
      return `${id}@${mine}`
    })
    const wrapped = wrap(cache, load, { key: 'item:{0}' })
    const first = wrapped('a')
    await settleCallbacks()
    expect(await wrapped.invalidate('a')).toBe(false)
    held.open()
    expect(await first).toBe('a@1')
    expect(await wrapped.get('a')).toBeUndefined()
    expect(await wrapped('a')).toBe('a@2')
  })

  test('set during a load wins over the load', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    const wrapped = wrap(
      cache,
      async (id: string) => {
        await held.wait
        return `${id}@loaded`
      },
      { key: 'item:{0}' },
    )
    const first = wrapped('a')
    await settleCallbacks()
    await wrapped.set('a@set', 'a')
    held.open()
    expect(await first).toBe('a@loaded')
    expect(await wrapped('a')).toBe('a@set')
  })

  test('refresh does not join a load that began before it', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    let version = 0
    const load = vi.fn(async (id: string) => {
      const mine = ++version
      if (mine === 1) await held.wait
      return `${id}@${mine}`
    })
    const wrapped = wrap(cache, load, { key: 'item:{0}' })
    const before = wrapped('a')
    await settleCallbacks()
    // A webhook says 'a' changed: the refresh must load again, not reuse the older load.
    expect(await wrapped.refresh('a')).toBe('a@2')
    held.open()
    expect(await before).toBe('a@1')
    expect(await wrapped('a')).toBe('a@2')
    expect(load).toHaveBeenCalledTimes(2)
  })

  test('calls during a refresh get the cached value at once, and the new one after', async () => {
    const cache = createCache({ tiers: [memory()] })
    const held = gate()
    let version = 0
    const wrapped = wrap(
      cache,
      async (id: string) => {
        const mine = ++version
        if (mine === 2) await held.wait
        return `${id}@${mine}`
      },
      { key: 'item:{0}' },
    )
    expect(await wrapped('a')).toBe('a@1')
    const refreshing = wrapped.refresh('a')
    expect(await wrapped('a')).toBe('a@1')
    held.open()
    expect(await refreshing).toBe('a@2')
    expect(await wrapped('a')).toBe('a@2')
  })

  test('a failed refresh rejects and keeps the cached value; cacheIf applies', async () => {
    const cache = createCache({ tiers: [memory()] })
    let fail = false
    let version = 0
    const wrapped = wrap(
      cache,
      async (id: string) => {
        if (fail) throw new Error('upstream down')
        return `${id}@${++version}`
      },
      { key: 'item:{0}', cacheIf: (value) => !value.endsWith('@3') },
    )
    await wrapped('a')
    fail = true
    await expect(wrapped.refresh('a')).rejects.toThrow('upstream down')
    expect(await wrapped('a')).toBe('a@1')
    fail = false
    expect(await wrapped.refresh('a')).toBe('a@2')
    expect(await wrapped.refresh('a')).toBe('a@3')
    expect(await wrapped('a')).toBe('a@2')
  })

  test('set stores the tags of the arguments', async () => {
    const cache = createCache({ tiers: [memory()] })
    const wrapped = wrap(cache, async (id: string) => id, { key: 'item:{0}', tags: ['item:{0}'] })
    await wrapped.set('x', 'a')
    await wrapped.set('y', 'b')
    await cache.invalidateTags(['item:a'])
    expect(await wrapped.get('a')).toBeUndefined()
    expect(await wrapped.get('b')).toBe('y')
  })

  test('arguments that cannot form a key: helpers reject, key() throws', async () => {
    const cache = createCache({ tiers: [memory()] })
    const wrapped = wrap(cache, async (value: unknown) => String(value), { name: 'f' })
    const bad = () => undefined
    await expect(wrapped.get(bad)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.set('v', bad)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.invalidate(bad)).rejects.toThrow(InvalidKeyError)
    await expect(wrapped.refresh(bad)).rejects.toThrow(InvalidKeyError)
    expect(() => wrapped.key(bad)).toThrow(InvalidKeyError)
  })
})

import { describe, expect, it } from 'vitest'
import { Epochs } from '../../src/cache/epochs.js'

describe('Epochs', () => {
  it('sees a change of the watched key made after the watch began, not before', () => {
    const epochs = new Epochs()
    epochs.changed('a')
    const watch = epochs.watch('a')
    expect(epochs.changedSince(watch)).toBe(false)
    epochs.changed('b')
    expect(epochs.changedSince(watch)).toBe(false)
    epochs.changed('a')
    expect(epochs.changedSince(watch)).toBe(true)
  })

  it('keeps a change for an older open watch after a younger one ended', () => {
    const epochs = new Epochs()
    const older = epochs.watch('k')
    epochs.changed('x')
    const younger = epochs.watch('k')
    epochs.changed('k')
    epochs.end(younger)
    epochs.end(younger) // twice: harmless
    expect(epochs.changedSince(older)).toBe(true)
    const later = epochs.watch('k')
    expect(epochs.changedSince(later)).toBe(false)
  })

  it('watchMany/endMany behave as one watch per key', () => {
    const epochs = new Epochs()
    const watches = epochs.watchMany(['a', 'b', 'c'])
    const single = epochs.watch('b')
    epochs.changed('b')
    epochs.changedPrefix('c')
    expect(watches.map((watch) => epochs.changedSince(watch))).toEqual([false, true, true])
    epochs.endMany(watches)
    expect(epochs.changedSince(single)).toBe(true)
    epochs.end(single)
  })

  it('a change made while no watch is open is not seen by a later watch', () => {
    const epochs = new Epochs()
    epochs.end(epochs.watch('a'))
    epochs.changed('a')
    epochs.changedPrefix('')
    const watch = epochs.watch('a')
    expect(epochs.changedSince(watch)).toBe(false)
  })

  it('a reset is seen by every watch open at the time', () => {
    const epochs = new Epochs()
    const before = epochs.watch('a')
    epochs.changedAll()
    const after = epochs.watch('a')
    expect(epochs.changedSince(before)).toBe(true)
    expect(epochs.changedSince(after)).toBe(false)
  })

  it('bounds what it remembers under a long watch: past the limit, open watches count as changed', () => {
    const epochs = new Epochs()
    const longLived = epochs.watch('untouched')
    for (let i = 0; i < 60_000; i++) epochs.changed(`key:${i}`)
    // Conservative: the long watch may no longer copy what it saw.
    expect(epochs.changedSince(longLived)).toBe(true)
    const fresh = epochs.watch('key:1')
    expect(epochs.changedSince(fresh)).toBe(false)
    epochs.changed('key:1')
    expect(epochs.changedSince(fresh)).toBe(true)
  })

  it('matches a reference model on random interleavings', () => {
    let seed = 42
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    for (let run = 0; run < 200; run++) {
      const epochs = new Epochs()
      const open: { watch: ReturnType<Epochs['watch']>; changed: boolean }[] = []
      for (let step = 0; step < 60; step++) {
        const key = `k${random(4)}`
        const action = random(5)
        if (action === 0) open.push({ watch: epochs.watch(key), changed: false })
        else if (action === 1) {
          epochs.changed(key)
          for (const o of open) if (o.watch.key === key) o.changed = true
        } else if (action === 2) {
          epochs.changedPrefix(key.slice(0, 2))
          for (const o of open) if (o.watch.key.startsWith(key.slice(0, 2))) o.changed = true
        } else if (action === 3 && open.length > 0) {
          const [o] = open.splice(random(open.length), 1)
          if (o) epochs.end(o.watch)
        }
        for (const o of open) expect(epochs.changedSince(o.watch)).toBe(o.changed)
      }
    }
  })
})

import { describe, expect, test } from 'vitest'
import { mapConcurrent } from '../../src/store-kit/index.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('mapConcurrent', () => {
  test('keeps the order of the items and never runs more than limit tasks at once', async () => {
    let running = 0
    let most = 0
    const items = Array.from({ length: 20 }, (_, index) => index)
    const results = await mapConcurrent(items, 3, async (item, index) => {
      running++
      most = Math.max(most, running)
      await tick()
      running--
      return item * 10 + index
    })
    expect(results).toEqual(items.map((item) => item * 11))
    expect(most).toBe(3)
  })

  test('handles no items and a limit above the item count', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([])
    expect(await mapConcurrent(['a'], 4, async (item) => item)).toEqual(['a'])
  })

  test('rejects with the first failure and starts no task after it', async () => {
    const started: number[] = []
    const failure = new Error('boom')
    await expect(
      mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (item) => {
        started.push(item)
        await tick()
        if (item === 1) throw failure
        return item
      }),
    ).rejects.toBe(failure)
    await tick()
    await tick()
    expect(started.length).toBeLessThanOrEqual(3)
  })
})

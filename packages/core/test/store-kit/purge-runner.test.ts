import { describe, expect, test } from 'vitest'
import { PurgeRunner } from '../../src/store-kit/index.js'

function deferred() {
  let resolve: (removed: number) => void = () => {}
  const promise = new Promise<number>((settle) => {
    resolve = settle
  })
  return { promise, resolve }
}

describe('PurgeRunner', () => {
  test('calls during a run share it; the next call starts a new one', async () => {
    let runs = 0
    const pending = deferred()
    const runner = new PurgeRunner(() => {
      runs++
      return runs === 1 ? pending.promise : Promise.resolve(7)
    })
    const first = runner.run()
    const joined = runner.run()
    expect(joined).toBe(first)
    pending.resolve(3)
    expect(await first).toBe(3)
    expect(await runner.run()).toBe(7)
    expect(runs).toBe(2)
    await runner.stop()
  })

  test('runs every intervalMs in the background, dropping errors, until stopped', async () => {
    let runs = 0
    const runner = new PurgeRunner(async () => {
      runs++
      throw new Error('disk gone')
    }, 5)
    await new Promise((resolve) => setTimeout(resolve, 60))
    await runner.stop()
    const stoppedAt = runs
    expect(stoppedAt).toBeGreaterThanOrEqual(2)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(runs).toBe(stoppedAt)
    runner.runInBackground()
    expect(runs).toBe(stoppedAt)
  })

  test('stop waits for the run in flight, whatever its outcome', async () => {
    const pending = deferred()
    const runner = new PurgeRunner(() => pending.promise)
    const run = runner.run()
    let stopped = false
    const stopping = runner.stop().then(() => {
      stopped = true
    })
    await Promise.resolve()
    expect(stopped).toBe(false)
    pending.resolve(1)
    await stopping
    expect(stopped).toBe(true)
    expect(await run).toBe(1)
  })
})

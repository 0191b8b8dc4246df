import { ClosedError, InvalidOptionError } from '@stack/core'
import postgres from 'postgres'
import { afterAll, describe, expect, inject, test } from 'vitest'
import { pgBus } from '../src/index.js'

const url = inject('postgresUrl')

/** Collects messages; `next(n)` resolves once `n` have arrived (or fails after 5 s). */
function inbox() {
  const messages: string[] = []
  let wake = () => {}
  return {
    messages,
    onMessage(message: string) {
      messages.push(message)
      wake()
    },
    async next(count: number) {
      const deadline = Date.now() + 5_000
      while (messages.length < count && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 100)
        })
      }
      return messages
    },
  }
}

describe.skipIf(url === '')('pgBus', () => {
  const sql = postgres(url, { onnotice: () => undefined })
  afterAll(() => sql.end())

  test('delivers to every subscriber, the publisher included, in order', async () => {
    const a = pgBus({ client: url, channel: 'bus_order' })
    const b = pgBus({ client: sql, channel: 'bus_order' })
    const atA = inbox()
    const atB = inbox()
    await a.subscribe(atA)
    await b.subscribe(atB)
    for (const message of ['one', 'two', 'three']) await a.publish(message)
    expect(await atA.next(3)).toEqual(['one', 'two', 'three'])
    expect(await atB.next(3)).toEqual(['one', 'two', 'three'])
    await a.close()
    await b.close()
  })

  test('messages over the 8000-byte NOTIFY limit and with NUL arrive whole', async () => {
    const bus = pgBus({ client: sql, channel: 'bus_large' })
    const received = inbox()
    await bus.subscribe(received)
    const large = `${'ключ🔥'.repeat(4_000)}\u0000end`
    await bus.publish(large)
    await bus.publish('small after')
    expect(await received.next(2)).toEqual([large, 'small after'])
    await bus.close()
  })

  test('does not deliver other channels; rejects bad channels and calls after close', async () => {
    expect(() => pgBus({ client: sql, channel: 'no-dashes' })).toThrowError(InvalidOptionError)
    const bus = pgBus({ client: sql, channel: 'bus_mine' })
    const other = pgBus({ client: sql, channel: 'bus_other' })
    const received = inbox()
    await bus.subscribe(received)
    await other.publish('not for me')
    await bus.publish('for me')
    expect(await received.next(1)).toEqual(['for me'])
    await bus.close()
    await bus.close()
    await expect(bus.publish('x')).rejects.toBeInstanceOf(ClosedError)
    await other.close()
  })
})

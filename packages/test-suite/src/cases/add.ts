import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'

export const addCase: ConformanceCase = {
  name: 'add stores only when no live entry exists: true, then false; with a past expiry it stores nothing and resolves whether the key was free (when present)',
  appliesTo: ({ store }) => typeof store.add === 'function',
  async run({ store, key, time }) {
    const add = store.add!.bind(store)
    const past = time.now() - 1000
    assert.equal(await add(key('free'), utf8('past'), past), true, 'past-expiry add to a free key')
    assertMissing(await store.get(key('free')), 'get after a past-expiry add to a free key')
    assert.equal(await add(key('k'), utf8('first'), Infinity), true, 'add to a missing key')
    assertBytes(await store.get(key('k')), utf8('first'), 'get after a winning add')
    assert.equal(await add(key('k'), utf8('second'), Infinity), false, 'add to a live key')
    assertBytes(await store.get(key('k')), utf8('first'), 'get after a losing add')
    assert.equal(await add(key('k'), utf8('past'), past), false, 'past-expiry add over a live key')
    assertBytes(await store.get(key('k')), utf8('first'), 'get after a losing past-expiry add')
    await store.delete(key('k'))
    assert.equal(await add(key('k'), utf8('third'), Infinity), true, 'add after delete')
    assertBytes(await store.get(key('k')), utf8('third'), 'get after add after delete')
    await store.set(key('set'), utf8('set'), Infinity)
    assert.equal(await add(key('set'), utf8('added'), Infinity), false, 'add over a set entry')
  },
}

const CONCURRENT_CALLERS = 50

export const concurrentAddCase: ConformanceCase = {
  name: `add under ${CONCURRENT_CALLERS} concurrent callers on one key has exactly one winner (when capabilities.add)`,
  appliesTo: ({ store, capabilities }) => capabilities.add && typeof store.add === 'function',
  async run({ store, key }) {
    const results = await Promise.all(
      Array.from({ length: CONCURRENT_CALLERS }, (_, caller) =>
        store.add!(key('lock'), utf8(`caller ${caller}`), Infinity),
      ),
    )
    const winners = results.flatMap((won, caller) => (won ? [caller] : []))
    assert.equal(winners.length, 1, `exactly one winner, got callers [${winners.join(', ')}]`)
    assertBytes(await store.get(key('lock')), utf8(`caller ${winners[0]}`), 'the winner value')
  },
}

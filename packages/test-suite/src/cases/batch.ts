import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'

export const getManyCase: ConformanceCase = {
  name: 'getMany: empty list, missing and duplicate keys, results in order (when present)',
  appliesTo: ({ store }) => typeof store.getMany === 'function',
  async run({ store, key }) {
    assert.deepEqual(await store.getMany!([]), [], 'getMany([])')
    await store.set(key('a'), utf8('a'), Infinity)
    await store.set(key('b'), utf8('b'), Infinity)
    const requested = ['b', 'missing', 'a', 'b', 'missing', 'a']
    const results = await store.getMany!(requested.map(key))
    assert.equal(results.length, requested.length, 'one result per requested key')
    for (const [index, name] of requested.entries()) {
      const what = `getMany result #${index} ("${name}")`
      if (name === 'missing') assertMissing(results[index], what)
      else assertBytes(results[index], utf8(name), what)
    }
  },
}

export const setManyCase: ConformanceCase = {
  name: 'setMany: empty list, per-entry expiry, the last write of a duplicate key wins (when present)',
  appliesTo: ({ store }) => typeof store.setMany === 'function',
  async run({ store, key, time }) {
    await store.setMany!([])
    await store.set(key('expired over live'), utf8('old'), Infinity)
    const past = time.now() - 1000
    await store.setMany!([
      { key: key('dup'), value: utf8('first'), expiresAt: Infinity },
      { key: key('plain'), value: utf8('plain'), expiresAt: Infinity },
      { key: key('expired'), value: utf8('x'), expiresAt: past },
      { key: key('expired over live'), value: utf8('new'), expiresAt: past },
      { key: key('dup'), value: utf8('last'), expiresAt: Infinity },
    ])
    assertBytes(await store.get(key('dup')), utf8('last'), 'the last write of a duplicate key')
    assertBytes(await store.get(key('plain')), utf8('plain'), 'a plain entry of setMany')
    assertMissing(await store.get(key('expired')), 'a setMany entry with a past expiry')
    assertMissing(await store.get(key('expired over live')), 'a past-expiry entry over a live one')
  },
}

export const deleteManyCase: ConformanceCase = {
  name: 'deleteMany: empty list, missing and duplicate keys; resolves the number of live entries removed (when present)',
  appliesTo: ({ store }) => typeof store.deleteMany === 'function',
  async run({ store, key }) {
    assert.equal(await store.deleteMany!([]), 0, 'deleteMany([])')
    await store.set(key('a'), utf8('a'), Infinity)
    await store.set(key('b'), utf8('b'), Infinity)
    await store.set(key('kept'), utf8('kept'), Infinity)
    const removed = await store.deleteMany!([key('a'), key('missing'), key('a'), key('b')])
    assert.equal(removed, 2, 'deleteMany counts each removed live entry once')
    assertMissing(await store.get(key('a')), 'a deleted key')
    assertMissing(await store.get(key('b')), 'a deleted key')
    assertBytes(await store.get(key('kept')), utf8('kept'), 'a key deleteMany was not given')
    assert.equal(await store.deleteMany!([key('a'), key('b')]), 0, 'deleteMany of deleted keys')
  },
}

import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertMissing, patternBytes, utf8 } from '../support/bytes.js'
import { listKeys } from '../support/keys.js'

export const nullMissesCase: ConformanceCase = {
  name: 'keeps nothing: every read is a miss and delete finds nothing, whatever was written',
  async run({ store, key }) {
    await store.set(key('k'), utf8('v'), Infinity)
    await store.set(key('🔥'.repeat(10_000)), patternBytes(1024 * 1024), Infinity)
    assertMissing(await store.get(key('k')), 'get after set')
    assert.equal(await store.delete(key('k')), false, 'delete after set')
    await store.clear(key(''))
    if (store.setMany)
      await store.setMany([{ key: key('m'), value: utf8('v'), expiresAt: Infinity }])
    if (store.getMany) {
      assert.deepEqual(await store.getMany([key('k'), key('m')]), [undefined, undefined], 'getMany')
      assert.deepEqual(await store.getMany([]), [], 'getMany([])')
    }
    if (store.deleteMany)
      assert.equal(await store.deleteMany([key('k'), key('m')]), 0, 'deleteMany')
    if (store.keys) assert.deepEqual(await listKeys(store.keys(key(''))), [], 'keys()')
  },
}

export const nullAddCase: ConformanceCase = {
  name: 'add always succeeds, since nothing is ever stored (when present)',
  appliesTo: ({ store }) => typeof store.add === 'function',
  async run({ store, key }) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      assert.equal(await store.add!(key('k'), utf8('v'), Infinity), true, `add #${attempt}`)
    }
    assertMissing(await store.get(key('k')), 'get after add')
  },
}

import * as assert from 'node:assert/strict'
import { UnsupportedError } from '@stack/core'
import type { ConformanceCase } from '../case.js'
import { utf8 } from '../support/bytes.js'
import { assertRejectsWith } from '../support/errors.js'
import { listKeys } from '../support/keys.js'

export const listKeysCase: ConformanceCase = {
  name: 'keys(prefix) lists exactly the live keys that start with prefix (not those containing it), taken literally (when capabilities.keys); otherwise completeStore rejects with UnsupportedError',
  appliesTo: ({ store }) => typeof store.keys === 'function',
  async run({ store, key, capabilities, time }) {
    if (!capabilities.keys) {
      await assertRejectsWith(
        () => listKeys(store.keys!(key(''))),
        UnsupportedError.isInstance,
        'UnsupportedError',
        'keys() of a store without capabilities.keys',
      )
      return
    }
    const inside = ['a', 'ab', 'a*', 'a/b', 'a 🔥']
    // The last one holds the whole listed prefix, but not at its start.
    const outside = ['b', 'A', 'xa', `z/${key('a')}`]
    for (const suffix of [...inside, ...outside]) {
      await store.set(key(suffix), utf8(suffix), Infinity)
    }
    await store.set(key('a-expired'), utf8('x'), time.now() - 1000)
    await store.set(key('a-deleted'), utf8('x'), Infinity)
    await store.delete(key('a-deleted'))
    const expected = inside.map(key).sort()
    assert.deepEqual(await listKeys(store.keys!(key('a'))), expected, 'keys(prefix + "a")')
    assert.deepEqual(await listKeys(store.keys!(key('a*'))), [key('a*')], 'keys("a*") is literal')
    assert.deepEqual(await listKeys(store.keys!(key('nothing/'))), [], 'keys of an empty prefix')
  },
}

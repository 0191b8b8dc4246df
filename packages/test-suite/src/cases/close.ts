import * as assert from 'node:assert/strict'
import { ClosedError } from '@stack/core'
import type { ConformanceCase } from '../case.js'
import { utf8 } from '../support/bytes.js'
import { assertRejectsWith } from '../support/errors.js'
import { listKeys } from '../support/keys.js'

function isClosedError(error: unknown): boolean {
  return ClosedError.isInstance(error) && error.code === 'E_CLOSED'
}

export const closeCase: ConformanceCase = {
  name: "close is idempotent and every later call rejects with ClosedError (code 'E_CLOSED'); keys() when iterated",
  async run({ store, key, capabilities }) {
    await store.get(key('warm-up'))
    await Promise.all([store.close(), store.close()])
    await store.close()
    const value = utf8('v')
    const calls: [string, () => Promise<unknown>][] = [
      ['get', () => store.get(key('k'))],
      ['set', () => store.set(key('k'), value, Infinity)],
      ['delete', () => store.delete(key('k'))],
      ['clear', () => store.clear(key(''))],
    ]
    if (store.getMany) calls.push(['getMany', () => store.getMany!([key('k')])])
    if (store.setMany) {
      calls.push(['setMany', () => store.setMany!([{ key: key('k'), value, expiresAt: Infinity }])])
    }
    if (store.deleteMany) calls.push(['deleteMany', () => store.deleteMany!([key('k')])])
    if (store.add) calls.push(['add', () => store.add!(key('k'), value, Infinity)])
    if (store.checkSetup) calls.push(['checkSetup', () => store.checkSetup!()])
    if (capabilities.keys && store.keys) {
      // keys() reports every error, closed included, when iterated, never at the call.
      let listing: AsyncIterable<string> | undefined
      try {
        listing = store.keys(key(''))
      } catch (error) {
        assert.fail(`keys() after close threw at the call instead of on iteration: ${error}`)
      }
      calls.push(['keys', () => listKeys(listing)])
    }
    for (const [method, call] of calls) {
      await assertRejectsWith(call, isClosedError, 'ClosedError', `${method} after close`)
    }
  },
}

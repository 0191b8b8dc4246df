import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { listKeys } from '../support/keys.js'
import { sleepUntil } from '../support/time.js'

const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000

export const pastExpiryCase: ConformanceCase = {
  name: 'an expiry at or before now never persists, also over an existing value',
  async run({ store, key, capabilities }) {
    const now = Date.now()
    const expiries: [string, number][] = [
      ['one second ago', now - 1000],
      ['now', now],
      ['epoch 0', 0],
      ['negative', -1],
    ]
    for (const [label, expiresAt] of expiries) {
      await store.set(key(`fresh ${label}`), utf8('v'), expiresAt)
      await store.set(key(`over ${label}`), utf8('old'), Infinity)
      await store.set(key(`over ${label}`), utf8('new'), expiresAt)
    }
    for (const [label] of expiries) {
      assertMissing(await store.get(key(`fresh ${label}`)), `set with expiresAt ${label}`)
      assertMissing(await store.get(key(`over ${label}`)), `overwrite with expiresAt ${label}`)
    }
    if (capabilities.keys && store.keys) {
      assert.deepEqual(await listKeys(store.keys(key(''))), [], 'keys() lists no expired entry')
    }
  },
}

/**
 * An expiry whose millisecond part is at least 700, so a seconds store that rounds down
 * instead of up expires the entry at least 700 ms early, which the suite sees.
 */
function secondsExpiry(now: number): number {
  const expiresAt = now + 1000
  return expiresAt + Math.max(0, 700 - (expiresAt % 1000))
}

export const expiryCase: ConformanceCase = {
  name: 'expiry is honoured at the declared granularity, never early; expired entries are gone for get, getMany, delete, add and keys; Infinity persists',
  async run({ store, key, capabilities }) {
    const seconds = capabilities.ttlGranularity === 's'
    const now = Date.now()
    const expiresAt = seconds ? secondsExpiry(now) : now + 150
    // A seconds store may keep an entry up to 1 s past its expiry; a ms store a few ms.
    const goneBy = expiresAt + (seconds ? 1200 : 100)
    const earlyCheckAt = expiresAt - (seconds ? 200 : 60)
    const value = utf8('v')

    await store.set(key('expiring'), value, expiresAt)
    await store.set(key('add over expired'), value, expiresAt)
    await store.set(key('extended'), value, expiresAt)
    await store.set(key('extended'), utf8('extended'), Infinity)
    await store.set(key('shortened'), value, Infinity)
    await store.set(key('shortened'), utf8('shortened'), expiresAt)
    await store.set(key('infinite'), value, Infinity)
    await store.set(key('far future'), value, now + TEN_YEARS_MS)

    await sleepUntil(earlyCheckAt)
    const early = await store.get(key('expiring'))
    const earlyShortened = await store.get(key('shortened'))
    // Only meaningful when the reads finished before the expiry (a busy machine may be late).
    if (Date.now() < expiresAt) {
      assertBytes(early, value, `get ${expiresAt - Date.now()} ms before expiry (expired early)`)
      assertBytes(earlyShortened, utf8('shortened'), 'get before expiry of an overwritten entry')
    }

    await sleepUntil(goneBy)
    const late = `${Date.now() - expiresAt} ms after expiry`
    assertMissing(await store.get(key('expiring')), `get ${late}`)
    assertMissing(await store.get(key('shortened')), `get of an entry overwritten with an expiry`)
    assertBytes(
      await store.get(key('extended')),
      utf8('extended'),
      'an expiring entry overwritten with Infinity',
    )
    assertBytes(await store.get(key('infinite')), value, 'an entry with expiresAt Infinity')
    assertBytes(await store.get(key('far future')), value, 'an entry expiring in ten years')
    if (store.getMany) {
      const [expired, infinite] = await store.getMany([key('expiring'), key('infinite')])
      assertMissing(expired, `getMany ${late}`)
      assertBytes(infinite, value, 'getMany of an entry with expiresAt Infinity')
    }
    assert.equal(await store.delete(key('expiring')), false, `delete ${late} (not live)`)
    const liveKeys = [key('extended'), key('far future'), key('infinite')]
    if (store.add) {
      const added = await store.add(key('add over expired'), utf8('added'), Infinity)
      assert.equal(added, true, `add over an entry ${late}`)
      assertBytes(await store.get(key('add over expired')), utf8('added'), 'get after add')
      liveKeys.push(key('add over expired'))
    }
    if (capabilities.keys && store.keys) {
      const listed = await listKeys(store.keys(key('')))
      assert.deepEqual(listed, liveKeys.sort(), 'keys() lists exactly the live entries')
    }
  },
}

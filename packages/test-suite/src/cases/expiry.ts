import * as assert from 'node:assert/strict'
import type { CaseContext, ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { listKeys } from '../support/keys.js'

const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000

export const pastExpiryCase: ConformanceCase = {
  name: 'an expiry at or before now (now itself, 0, -1, -Infinity) never persists, also over an existing value',
  async run({ store, key, capabilities, time }) {
    const now = time.now()
    const expiries: [string, number][] = [
      ['one second ago', now - 1000],
      ['now', now],
      ['epoch 0', 0],
      ['negative', -1],
      ['-Infinity', Number.NEGATIVE_INFINITY],
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

/** When the case writes, checks "not yet expired" and checks "expired", in the store's time. */
interface ExpiryPlan {
  readonly expiresAt: number
  /** The latest time the entry must still be there. */
  readonly stillLiveAt: number
  /** The earliest time it must be gone. */
  readonly goneAt: number
}

/**
 * An expiry whose millisecond part lies in [`lead`, 900], at least `lead` ms away, so that
 * both wrong roundings to whole seconds show: rounding down expires the entry `lead` ms or
 * more early, rounding up keeps it 100 ms or more too long.
 */
function roundingSensitiveExpiry(now: number, lead: number): number {
  const earliest = now + lead
  const millis = earliest % 1000
  if (millis < lead) return earliest - millis + lead
  if (millis > 900) return earliest - millis + 1000 + lead
  return earliest
}

/**
 * The plan for the store's granularity. A `'ms'` store must keep an entry until just
 * before `expiresAt` and drop it at `expiresAt` exactly (live while `now < expiresAt`).
 * A `'s'` store rounds up, so it may keep an entry up to 1 s longer: it is checked
 * 200 ms before the expiry (a store rounding down has dropped it by then) and 1.2 s after.
 */
function expiryPlan({ time, capabilities }: CaseContext): ExpiryPlan {
  if (capabilities.ttlGranularity === 's') {
    const expiresAt = roundingSensitiveExpiry(time.now() + 100, 700)
    return {
      expiresAt,
      stillLiveAt: expiresAt - (time.manual ? 1 : 200),
      goneAt: expiresAt + (time.manual ? 1000 : 1200),
    }
  }
  const expiresAt = roundingSensitiveExpiry(time.now(), time.manual ? 500 : 40)
  return { expiresAt, stillLiveAt: expiresAt - (time.manual ? 1 : 15), goneAt: expiresAt }
}

/**
 * Every operation that must treat an expired entry as absent, each on its own key: a
 * store that purges an expired entry when `get` reads it would hide the others' bugs if
 * they shared one.
 */
async function assertExpiredForEachOperation(context: CaseContext, late: string): Promise<void> {
  const { store, key } = context
  assertMissing(await store.get(key('expired/get')), `get ${late}`)
  if (store.getMany) {
    const [expired, live] = await store.getMany([key('expired/getMany'), key('infinite')])
    assertMissing(expired, `getMany ${late}`)
    assertBytes(live, utf8('v'), 'getMany of an entry with expiresAt Infinity')
  }
  assert.equal(await store.delete(key('expired/delete')), false, `delete ${late} (not live)`)
  if (store.add) {
    const added = await store.add(key('expired/add'), utf8('added'), Infinity)
    assert.equal(added, true, `add over an entry ${late}`)
    assertBytes(await store.get(key('expired/add')), utf8('added'), 'get after add')
  }
  if (context.capabilities.keys && store.keys) {
    const listed = await listKeys(store.keys(key('expired/keys/')))
    assert.deepEqual(listed, [key('expired/keys/live')], `keys() ${late}`)
  }
}

export const expiryCase: ConformanceCase = {
  name: 'expiry: never early; gone at expiresAt (ms) or within 1 s of it (s) for get, getMany, delete, add and keys, each on its own key; rewrites extend and shorten; Infinity persists',
  async run(context) {
    const { store, key, time } = context
    const plan = expiryPlan(context)
    const value = utf8('v')
    const expiring = ['early', 'get', 'getMany', 'delete', 'add', 'keys/a'].map((name) =>
      key(`expired/${name}`),
    )
    for (const expiringKey of expiring) await store.set(expiringKey, value, plan.expiresAt)
    await store.set(key('expired/keys/live'), value, Infinity)
    await store.set(key('extended'), value, plan.expiresAt)
    await store.set(key('extended'), utf8('extended'), Infinity)
    await store.set(key('shortened'), value, Infinity)
    await store.set(key('shortened'), utf8('shortened'), plan.expiresAt)
    await store.set(key('infinite'), value, Infinity)
    await store.set(key('far future'), value, time.now() + TEN_YEARS_MS)

    await time.until(plan.stillLiveAt)
    const early = await store.get(key('expired/early'))
    const earlyShortened = await store.get(key('shortened'))
    // Only meaningful when the reads finished before the expiry (a busy machine may be late).
    if (time.now() < plan.expiresAt) {
      const ahead = `${plan.expiresAt - time.now()} ms before expiry`
      assertBytes(early, value, `get ${ahead} (expired early)`)
      assertBytes(earlyShortened, utf8('shortened'), `get ${ahead} of an overwritten entry`)
    }

    await time.until(plan.goneAt)
    const late =
      time.now() === plan.expiresAt
        ? 'at expiresAt exactly'
        : `${time.now() - plan.expiresAt} ms after expiry`
    await assertExpiredForEachOperation(context, late)
    assertMissing(await store.get(key('shortened')), 'get of an entry overwritten with an expiry')
    assertBytes(
      await store.get(key('extended')),
      utf8('extended'),
      'an entry rewritten with Infinity',
    )
    assertBytes(await store.get(key('infinite')), value, 'an entry with expiresAt Infinity')
    assertBytes(await store.get(key('far future')), value, 'an entry expiring in ten years')
  },
}

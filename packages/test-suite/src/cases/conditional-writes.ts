import * as assert from 'node:assert/strict'
import { InvalidKeyError, InvalidOptionError, type RemoteStore } from '@stack/core'
import type { CaseContext, ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { assertRejectsWith } from '../support/errors.js'
import { listKeys } from '../support/keys.js'

const HOUR_MS = 3_600_000

const declaresConditional = ({ store, capabilities }: CaseContext) =>
  capabilities.conditionalWrite === true &&
  typeof store.setIfNewer === 'function' &&
  typeof store.deleteIfNewer === 'function'

/** The store's conditional methods, bound (the case runs only when it has them). */
function conditional(store: RemoteStore) {
  return {
    setIfNewer: store.setIfNewer!.bind(store),
    deleteIfNewer: store.deleteIfNewer!.bind(store),
  }
}

/**
 * Another store on the same backend, whose calls race this one's as another process'
 * would; the store itself when two stores from `createStore` do not share a backend.
 */
async function peerOf({ store, capabilities, openPeer }: CaseContext) {
  return conditional(capabilities.sharedBackend ? await openPeer() : store)
}

/** How far ahead a short deadline is set: enough for a write and a read, at the store's granularity. */
function shortLead({ capabilities }: CaseContext): number {
  return capabilities.ttlGranularity === 's' ? 2_500 : 400
}

/** How long after a deadline a `'s'` store may keep what expires at it. */
function grace({ capabilities }: CaseContext): number {
  return capabilities.ttlGranularity === 's' ? 1_200 : 0
}

export const conditionalOrderCase: ConformanceCase = {
  name: 'conditionalWrite: setIfNewer refuses a strictly older version and writes a newer one or a tie, also from another store; a plain set carries no version (when capabilities.conditionalWrite)',
  appliesTo: declaresConditional,
  async run(context) {
    const { store, key, time } = context
    const { setIfNewer } = conditional(store)
    const peer = await peerOf(context)
    const k = key('k')
    const later = time.now() + HOUR_MS
    assert.equal(await setIfNewer(k, utf8('v2000'), later, 2_000), true, 'a write to an absent key')
    assertBytes(await store.get(k), utf8('v2000'), 'get after the first write')
    assert.equal(await setIfNewer(k, utf8('v1000'), later, 1_000), false, 'an older write')
    assert.equal(
      await peer.setIfNewer(k, utf8('v1999'), later, 1_999),
      false,
      "a peer's older write",
    )
    assertBytes(await store.get(k), utf8('v2000'), 'get after refused older writes')
    assert.equal(
      await setIfNewer(k, utf8('tie'), later, 2_000),
      true,
      'a write of the same version',
    )
    assertBytes(await store.get(k), utf8('tie'), 'get after a tie: the later call wins')
    assert.equal(
      await peer.setIfNewer(k, utf8('v2001'), later, 2_001),
      true,
      "a peer's newer write",
    )
    assertBytes(await store.get(k), utf8('v2001'), "get after the peer's newer write")
    assert.equal(await setIfNewer(k, utf8('v2000.5'), later, 2_000.5), false, 'a fraction older')
    await store.set(k, utf8('plain'), later)
    assert.equal(await setIfNewer(k, utf8('v1'), later, 1), true, 'a write over a plain set')
    assertBytes(await store.get(k), utf8('v1'), 'get after a write over a plain set')
    const now = time.now()
    assert.equal(await setIfNewer(k, utf8('now'), later, now), true, 'an epoch-ms version')
    assert.equal(await setIfNewer(k, utf8('old'), later, now - 1), false, 'one ms older')
    assertBytes(await store.get(k), utf8('now'), 'get after a write one ms older')
  },
}

export const conditionalDeleteCase: ConformanceCase = {
  name: 'conditionalWrite: deleteIfNewer leaves a tombstone that refuses older writes, also from another store; ties and newer writes land; an older delete leaves a newer value (when capabilities.conditionalWrite)',
  appliesTo: declaresConditional,
  async run(context) {
    const { store, key, time } = context
    const { setIfNewer, deleteIfNewer } = conditional(store)
    const peer = await peerOf(context)
    const k = key('k')
    const later = time.now() + HOUR_MS
    await setIfNewer(k, utf8('v1000'), later, 1_000)
    assert.equal(await deleteIfNewer(k, 2_000, later), true, 'a newer delete of a live value')
    assertMissing(await store.get(k), 'get after the delete')
    assert.equal(await setIfNewer(k, utf8('v1500'), later, 1_500), false, 'an older write')
    assert.equal(
      await peer.setIfNewer(k, utf8('v1999'), later, 1_999),
      false,
      "a peer's older write",
    )
    assertMissing(await store.get(k), 'get after older writes over the tombstone')
    assert.equal(
      await setIfNewer(k, utf8('tie'), later, 2_000),
      true,
      'a write of the same version',
    )
    assertBytes(await store.get(k), utf8('tie'), 'get after a tie with the delete')
    assert.equal(await peer.deleteIfNewer(k, 1_000, later), false, 'an older delete')
    assertBytes(await store.get(k), utf8('tie'), 'get after an older delete: the value stays')
    assert.equal(await deleteIfNewer(k, 3_000, later), true, 'a newer delete again')
    assert.equal(await deleteIfNewer(k, 4_000, later), false, 'a delete of a tombstone')
    assert.equal(await setIfNewer(k, utf8('v3500'), later, 3_500), false, 'below the newest delete')
    assert.equal(await deleteIfNewer(k, 3_800, later), false, 'a delete older than the tombstone')
    assert.equal(await setIfNewer(k, utf8('v3900'), later, 3_900), false, 'still below 4000')

    const absent = key('absent')
    assert.equal(await deleteIfNewer(absent, 5_000, later), false, 'a delete of an absent key')
    assert.equal(await setIfNewer(absent, utf8('old'), later, 4_999), false, 'older than it')
    assertMissing(await store.get(absent), 'get of a tombstoned absent key')
  },
}

export const tombstoneVisibilityCase: ConformanceCase = {
  name: 'conditionalWrite: a tombstone is invisible: get, getMany, keys and add see an absent key; delete, set, add and clear remove it (when capabilities.conditionalWrite)',
  appliesTo: declaresConditional,
  async run({ store, key, prefix, time }) {
    const { setIfNewer, deleteIfNewer } = conditional(store)
    const later = time.now() + HOUR_MS
    const tombstone = async (suffix: string) => {
      const k = key(suffix)
      await setIfNewer(k, utf8('v'), later, 1_000)
      await deleteIfNewer(k, 5_000, later)
      return k
    }
    const seen = await tombstone('seen')
    assertMissing(await store.get(seen), 'get of a tombstone')
    if (store.getMany) assertMissing((await store.getMany([seen]))[0], 'getMany of a tombstone')
    if (store.keys) {
      const listed = await listKeys(store.keys(prefix))
      assert.ok(!listed.includes(seen), `keys() listed a tombstone: ${JSON.stringify(listed)}`)
    }
    const removed = await tombstone('deleted')
    assert.equal(await store.delete(removed), false, 'delete of a tombstone (not live)')
    assert.equal(await setIfNewer(removed, utf8('old'), later, 1), true, 'a write after delete')
    const replaced = await tombstone('set')
    await store.set(replaced, utf8('plain'), later)
    assertBytes(await store.get(replaced), utf8('plain'), 'a plain set over a tombstone')
    assert.equal(await setIfNewer(replaced, utf8('old'), later, 1), true, 'then an old write')
    if (store.add) {
      const added = await tombstone('added')
      assert.equal(await store.add(added, utf8('added'), later), true, 'add over a tombstone')
      assertBytes(await store.get(added), utf8('added'), 'get after add over a tombstone')
    }
    const cleared = await tombstone('cleared')
    await store.clear(cleared)
    assert.equal(await setIfNewer(cleared, utf8('old'), later, 1), true, 'a write after clear')
  },
}

export const tombstoneExpiryCase: ConformanceCase = {
  name: 'conditionalWrite: a tombstone refuses older writes until tombstoneUntil and no longer; a past tombstoneUntil leaves none (when capabilities.conditionalWrite)',
  appliesTo: declaresConditional,
  async run(context) {
    const { store, key, time } = context
    const { setIfNewer, deleteIfNewer } = conditional(store)
    const later = time.now() + HOUR_MS
    const k = key('k')
    const until = time.now() + shortLead(context)
    await deleteIfNewer(k, 2_000, until)
    assert.equal(await setIfNewer(k, utf8('old'), later, 1_000), false, 'an older write at once')
    if (time.manual && context.capabilities.ttlGranularity === 'ms') {
      await time.until(until - 1)
      assert.equal(await setIfNewer(k, utf8('old'), later, 1_000), false, '1 ms before the end')
    }
    await time.until(until + grace(context))
    assert.equal(await setIfNewer(k, utf8('old'), later, 1_000), true, 'after tombstoneUntil')
    assertBytes(await store.get(k), utf8('old'), 'get after the tombstone expired')

    const none = key('none')
    await setIfNewer(none, utf8('v'), later, 1_000)
    assert.equal(
      await deleteIfNewer(none, 2_000, time.now() - 1),
      true,
      'a delete without tombstone',
    )
    assertMissing(await store.get(none), 'get after a delete without tombstone')
    assert.equal(await setIfNewer(none, utf8('old'), later, 1), true, 'no tombstone refuses')
  },
}

export const conditionalExpiryCase: ConformanceCase = {
  name: 'conditionalWrite: setIfNewer honours expiresAt as set does: the entry expires then (and refuses nothing after), Infinity never, a past one removes the key unless refused (when capabilities.conditionalWrite)',
  appliesTo: declaresConditional,
  async run(context) {
    const { store, key, time } = context
    const { setIfNewer } = conditional(store)
    const k = key('short')
    const expiresAt = time.now() + shortLead(context)
    await setIfNewer(k, utf8('short'), expiresAt, 2_000)
    assertBytes(await store.get(k), utf8('short'), 'get before expiry')
    await time.until(expiresAt + grace(context))
    assertMissing(await store.get(k), 'get after expiry')
    assert.equal(
      await setIfNewer(k, utf8('old'), Infinity, 1),
      true,
      'an expired value refuses nothing',
    )
    assertBytes(await store.get(k), utf8('old'), 'get of a write that never expires')

    const past = key('past')
    const later = time.now() + HOUR_MS
    await setIfNewer(past, utf8('v'), later, 1_000)
    assert.equal(
      await setIfNewer(past, utf8('x'), time.now() - 1, 2_000),
      true,
      'a newer past write',
    )
    assertMissing(await store.get(past), 'get after a newer write with a past expiry')
    await setIfNewer(past, utf8('kept'), later, 3_000)
    assert.equal(
      await setIfNewer(past, utf8('x'), Number.NEGATIVE_INFINITY, 2_000),
      false,
      'an older write with a past expiry',
    )
    assertBytes(await store.get(past), utf8('kept'), 'get after a refused past write')
  },
}

const CONCURRENT_WRITES = 24

export const conditionalConcurrencyCase: ConformanceCase = {
  name: `conditionalWrite: ${CONCURRENT_WRITES} concurrent setIfNewer and deleteIfNewer of one key from two stores leave the highest version (when capabilities.conditionalWrite)`,
  appliesTo: declaresConditional,
  async run(context) {
    const { store, key, time } = context
    const stores = [conditional(store), await peerOf(context)]
    const k = key('k')
    const later = time.now() + HOUR_MS
    // Newest first: every later call is older and must be refused, which a store comparing
    // and writing in two steps gets wrong (the calls all compare before any writes).
    const versions = Array.from(
      { length: CONCURRENT_WRITES },
      (_, i) => 1_000 + CONCURRENT_WRITES - i,
    )
    const highest = Math.max(...versions)
    await Promise.all(
      versions.map((version, i) => {
        const { setIfNewer, deleteIfNewer } = stores[i % 2] as (typeof stores)[number]
        return version % 5 === 0 && version !== highest
          ? deleteIfNewer(k, version, later)
          : setIfNewer(k, utf8(`v${version}`), later, version)
      }),
    )
    assertBytes(await store.get(k), utf8(`v${highest}`), 'the value of the highest version')
    for (const version of versions.filter((v) => v < highest)) {
      const refused = await stores[0]!.setIfNewer(k, utf8('late'), later, version)
      assert.equal(refused, false, `a late write of version ${version}`)
    }
  },
}

const naming = (option: string) => (error: unknown) =>
  InvalidOptionError.isInstance(error) && error.option === option

/** Reaching past the types on purpose: the suite sends what TypeScript would refuse. */
type Loose = (...args: unknown[]) => Promise<unknown>

export const conditionalInvalidInputCase: ConformanceCase = {
  name: 'conditionalWrite: invalid input to setIfNewer and deleteIfNewer rejects with the error naming it and changes nothing (when capabilities.conditionalWrite)',
  appliesTo: declaresConditional,
  async run({ store, key, time }) {
    const setIfNewer = store.setIfNewer!.bind(store) as unknown as Loose
    const deleteIfNewer = store.deleteIfNewer!.bind(store) as unknown as Loose
    const k = key('k')
    const later = time.now() + HOUR_MS
    await store.setIfNewer!(k, utf8('kept'), later, 1_000)
    const rejections: [string, () => Promise<unknown>, (error: unknown) => boolean, string][] = []
    for (const [label, bad] of [
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
      ['a numeric string', '5000'],
      ['undefined', undefined],
    ] as const) {
      const isVersion = naming('version')
      rejections.push([
        `setIfNewer with version ${label}`,
        () => setIfNewer(k, utf8('x'), later, bad),
        isVersion,
        "InvalidOptionError naming 'version'",
      ])
      rejections.push([
        `deleteIfNewer with version ${label}`,
        () => deleteIfNewer(k, bad, later),
        isVersion,
        "InvalidOptionError naming 'version'",
      ])
    }
    for (const [label, bad] of [
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a numeric string', '5000'],
      ['undefined', undefined],
    ] as const) {
      rejections.push([
        `deleteIfNewer with tombstoneUntil ${label}`,
        () => deleteIfNewer(k, 5_000, bad),
        naming('tombstoneUntil'),
        "InvalidOptionError naming 'tombstoneUntil'",
      ])
    }
    rejections.push(
      [
        "setIfNewer with key ''",
        () => setIfNewer('', utf8('x'), later, 5_000),
        InvalidKeyError.isInstance,
        'InvalidKeyError',
      ],
      [
        "deleteIfNewer with key ''",
        () => deleteIfNewer('', 5_000, later),
        InvalidKeyError.isInstance,
        'InvalidKeyError',
      ],
      [
        'setIfNewer of a string',
        () => setIfNewer(k, 'text', later, 5_000),
        naming('value'),
        "InvalidOptionError naming 'value'",
      ],
      [
        'setIfNewer with expiresAt NaN',
        () => setIfNewer(k, utf8('x'), Number.NaN, 5_000),
        naming('expiresAt'),
        "InvalidOptionError naming 'expiresAt'",
      ],
    )
    for (const [what, call, isExpected, expected] of rejections) {
      await assertRejectsWith(call, isExpected, expected, what)
    }
    assertBytes(await store.get(k), utf8('kept'), 'get after the rejected calls')
    assert.equal(
      await store.setIfNewer!(k, utf8('old'), later, 999),
      false,
      'the version 1000 is still held after the rejected calls',
    )
  },
}

import * as assert from 'node:assert/strict'
import { EnvelopeCodec, jsonSerializer } from '@stack/core'
import type { CaseContext, ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'

const codec = new EnvelopeCodec({ serializer: jsonSerializer, compressThreshold: Infinity })
const HOUR_MS = 3_600_000

/** A value worth not sending twice (about 60 kB serialized). */
function report(seed: string): unknown {
  return { seed, rows: Array.from({ length: 3_000 }, (_, i) => `${seed}:${i}`) }
}

/** The envelope core would write for `value` under `key`, created at `createdAt`. */
function envelope(
  key: string,
  value: unknown,
  createdAt: number,
  tags: readonly string[] = [],
): Uint8Array {
  return codec.encode(key, {
    value,
    createdAt,
    freshUntil: createdAt + HOUR_MS,
    staleUntil: createdAt + 2 * HOUR_MS,
    tags,
  })
}

/** How far ahead a short expiry is set: enough for a write and a read, at the store's granularity. */
function shortLead({ capabilities }: CaseContext): number {
  return capabilities.ttlGranularity === 's' ? 2_500 : 400
}

/** How long after an expiry a `'s'` store may keep the entry. */
function grace({ capabilities }: CaseContext): number {
  return capabilities.ttlGranularity === 's' ? 1_200 : 0
}

const declaresDedup = ({ capabilities }: CaseContext) => capabilities.dedupeWrites === true

export const dedupeRewriteCase: ConformanceCase = {
  name: 'dedupeWrites: a rewrite of an unchanged payload serves the new header, tags and expiry, longer or shorter (when capabilities.dedupeWrites)',
  appliesTo: declaresDedup,
  async run(context) {
    const { store, key, time } = context
    const k = key('report')
    const value = report('a')
    const shortExpiry = time.now() + shortLead(context)
    await store.set(k, envelope(k, value, 1), shortExpiry)
    const longer = envelope(k, value, 2, ['daily', 'reports'])
    await store.set(k, longer, time.now() + HOUR_MS)
    assertBytes(await store.get(k), longer, 'get after a rewrite with new tags and a later expiry')
    if (store.getMany) {
      assertBytes((await store.getMany([k]))[0], longer, 'getMany after the rewrite')
    }
    await time.until(shortExpiry + grace(context))
    assertBytes(await store.get(k), longer, 'get past the first expiry: the rewrite moved it')

    const shorter = envelope(k, value, 3)
    const soon = time.now() + shortLead(context)
    await store.set(k, shorter, soon)
    assertBytes(await store.get(k), shorter, 'get after a rewrite without tags, expiring sooner')
    await time.until(soon + grace(context))
    assertMissing(await store.get(k), 'get past the shortened expiry')

    await store.set(k, envelope(k, value, 4), time.now() + HOUR_MS)
    await store.set(k, envelope(k, value, 5), time.now() - 1)
    assertMissing(await store.get(k), 'get after a rewrite with a past expiry')
  },
}

export const dedupeChangesCase: ConformanceCase = {
  name: 'dedupeWrites: changed payloads, opaque values and other keys are written whole (when capabilities.dedupeWrites)',
  appliesTo: declaresDedup,
  async run({ store, key, time }) {
    const k = key('report')
    const later = time.now() + HOUR_MS
    const sequence: Uint8Array[] = [
      envelope(k, report('a'), 1),
      envelope(k, report('b'), 2),
      envelope(k, report('a'), 3),
      utf8('opaque bytes, not an envelope'),
      envelope(k, report('a'), 4),
      envelope(k, report('a'), 4).slice(0, 100), // an envelope cut short: opaque too
      envelope(k, report('a'), 5),
    ]
    for (const [step, value] of sequence.entries()) {
      await store.set(k, value, later)
      assertBytes(await store.get(k), value, `get after write ${step} of the sequence`)
    }
    // The same payload under another key is that key's own entry.
    const other = key('other')
    await store.set(other, envelope(other, report('a'), 6), later)
    await store.delete(k)
    assertBytes(await store.get(other), envelope(other, report('a'), 6), 'the other key')
    assertMissing(await store.get(k), 'the deleted key')
    await store.set(k, envelope(k, report('a'), 7), later)
    assertBytes(await store.get(k), envelope(k, report('a'), 7), 'a rewrite after a delete')
  },
}

const CONCURRENT_WRITES = 24

export const dedupeConcurrentCase: ConformanceCase = {
  name: `dedupeWrites: ${CONCURRENT_WRITES} concurrent rewrites of two payloads from two stores leave one written value, whole (when capabilities.dedupeWrites)`,
  appliesTo: declaresDedup,
  async run({ store, key, time, openPeer }) {
    const peer = await openPeer()
    const k = key('report')
    const later = time.now() + HOUR_MS
    await store.set(k, envelope(k, report('a'), 0), later)
    const written = Array.from({ length: CONCURRENT_WRITES }, (_, i) =>
      envelope(k, report(i % 3 === 0 ? 'b' : 'a'), i + 1, i % 2 === 0 ? ['tag'] : []),
    )
    await Promise.all(written.map((value, i) => (i % 2 ? peer : store).set(k, value, later)))
    const final = await store.get(k)
    assert.ok(
      written.some((value) => Buffer.from(value).equals(Buffer.from(final ?? []))),
      'the stored bytes are exactly one of the written values',
    )
    assertBytes(await peer.get(k), final as Uint8Array, 'the peer reads the same bytes')
  },
}

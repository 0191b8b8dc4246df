import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, patternBytes, utf8 } from '../support/bytes.js'

const MEBIBYTE = 1024 * 1024

const allByteValues = Uint8Array.from({ length: 256 }, (_, index) => index)

/** A view into the middle of a larger buffer: stores must write the view, not its buffer. */
function subarrayView(): Uint8Array {
  return patternBytes(64, 7).subarray(16, 48)
}

export const roundTripCase: ConformanceCase = {
  name: 'binary values round-trip through get and getMany as Uint8Array (a Buffer is allowed): empty, 1 byte, all 256 byte values, 1 MiB, a subarray view',
  async run({ store, key, capabilities }) {
    const largeSize = Math.min(MEBIBYTE, capabilities.maxValueBytes ?? MEBIBYTE)
    const values: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte', new Uint8Array([0])],
      ['all 256 byte values', allByteValues],
      [`${largeSize} bytes`, patternBytes(largeSize, 2)],
      ['subarray view', subarrayView()],
      ['invalid UTF-8', new Uint8Array([0xc3, 0x28, 0xff, 0xfe, 0x00, 0xed, 0xa0, 0x80])],
    ]
    for (const [label, value] of values) {
      await store.set(key(label), value, Infinity)
    }
    for (const [label, value] of values) {
      assertBytes(await store.get(key(label)), value, `get(${label})`)
    }
    if (store.getMany) {
      const results = await store.getMany(values.map(([label]) => key(label)))
      for (const [index, [label, value]] of values.entries()) {
        assertBytes(results[index], value, `getMany result of ${label}`)
      }
    }
  },
}

export const copySemanticsCase: ConformanceCase = {
  name: 'stored values are copies: mutating the written or the returned array changes nothing',
  async run({ store, key }) {
    const written = patternBytes(32, 3)
    const original = written.slice()
    await store.set(key('k'), written, Infinity)
    written.fill(0)
    const first = await store.get(key('k'))
    assertBytes(first, original, 'get after mutating the written array')
    first?.fill(0xff)
    assertBytes(await store.get(key('k')), original, 'get after mutating a returned array')
  },
}

export const missingKeysCase: ConformanceCase = {
  name: 'missing keys read as undefined',
  async run({ store, key }) {
    assertMissing(await store.get(key('never-written')), 'get(never written)')
    await store.set(key('written'), utf8('v'), Infinity)
    assertMissing(await store.get(key('writte')), 'get(a prefix of a written key)')
    assertMissing(await store.get(key('written-')), 'get(a written key plus a suffix)')
  },
}

export const overwriteCase: ConformanceCase = {
  name: 'set overwrites the previous value, longer or shorter',
  async run({ store, key }) {
    const values = [patternBytes(1000, 4), utf8('short'), patternBytes(5000, 5), new Uint8Array(0)]
    for (const [index, value] of values.entries()) {
      await store.set(key('k'), value, Infinity)
      assertBytes(await store.get(key('k')), value, `get after write #${index + 1}`)
    }
  },
}

export const deleteCase: ConformanceCase = {
  name: 'delete resolves true when it removed a live entry, false otherwise',
  async run({ store, key }) {
    await store.set(key('k'), utf8('v'), Infinity)
    await store.set(key('other'), utf8('o'), Infinity)
    assert.equal(await store.delete(key('k')), true, 'delete(live key)')
    assertMissing(await store.get(key('k')), 'get after delete')
    assert.equal(await store.delete(key('k')), false, 'delete(already deleted key)')
    assert.equal(await store.delete(key('never-written')), false, 'delete(missing key)')
    assertBytes(await store.get(key('other')), utf8('o'), 'an unrelated key after delete')
  },
}

export const concurrentWritesCase: ConformanceCase = {
  name: 'concurrent writes to one key leave one whole value, never a torn one',
  async run({ store, key, capabilities }) {
    const size = Math.min(64 * 1024, capabilities.maxValueBytes ?? 64 * 1024)
    const values = Array.from({ length: 20 }, (_, index) => patternBytes(size, 100 + index))
    await Promise.all(values.map((value) => store.set(key('k'), value, Infinity)))
    const stored = await store.get(key('k'))
    const match = values.find(
      (value) => stored instanceof Uint8Array && Buffer.from(value).equals(stored),
    )
    assert.ok(match, 'the stored value must equal one of the concurrently written values')
  },
}

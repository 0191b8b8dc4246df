import * as assert from 'node:assert/strict'
import { InvalidKeyError } from '@stack/core'
import type { CaseContext, ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8, utf8Length } from '../support/bytes.js'
import { assertRejectsWith } from '../support/errors.js'
import { listKeys } from '../support/keys.js'

const LONG = 'x'.repeat(10_000)

/**
 * Keys that break naive encodings: path traversal, pattern characters, case folding,
 * Unicode normalisation, truncation, sanitising, and Java-style string hashing
 * (`'Aa'` and `'BB'` share a hash code). Each is appended to a test prefix. Failures
 * name a key by its index here. Store authors can also feed these to a key encoder's
 * own unit tests.
 *
 * @example
 * ```ts
 * const encoded = new Set(hostileKeys.map((key) => encodeKey(`ns:${key}`)))
 * assert.equal(encoded.size, hostileKeys.length)
 * ```
 */
export const hostileKeys: readonly string[] = [
  '',
  'plain',
  'ünïcödé-ключ-鍵-مفتاح',
  '🔥emoji🚀',
  ' ',
  'with spaces  and\ttab',
  'new\nline\r\n',
  'nul\0byte',
  'slash/in/key',
  'slash/in/key/',
  '/leading',
  'double//slash',
  'back\\slash',
  '.',
  '..',
  './dot',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '../B/plain',
  'dir',
  'dir/',
  'dir/file',
  'dir/..',
  'deep/'.repeat(500),
  '*',
  '?',
  '%',
  '_',
  '[a]',
  '{a,b}',
  '$(echo)',
  'quote\'"`',
  'Key',
  'key',
  'KEY',
  'Aa',
  'BB',
  'AaBB',
  'BBAa',
  'a/b',
  'a_b',
  'a:b',
  'a b',
  'a+b',
  'a%2Fb',
  'a%2fb',
  '\u00e9',
  'e\u0301',
  'CON',
  'nul.txt',
  'trailing.',
  'trailing ',
  'x'.repeat(250),
  'x'.repeat(251),
  LONG,
  `${LONG.slice(1)}y`,
  `y${LONG.slice(1)}`,
  '🔥'.repeat(2_500),
]

/** Keys a store may refuse with InvalidKeyError instead of storing. */
const REFUSABLE = new Set(['nul\0byte'])

/** Writes every hostile key under `group`; resolves the keys the store accepted. */
async function writeGroup(context: CaseContext, group: string): Promise<string[]> {
  const { store, capabilities } = context
  const accepted: string[] = []
  for (const [index, suffix] of hostileKeys.entries()) {
    const fullKey = context.key(group + suffix)
    const write = () => store.set(fullKey, utf8(`${group}#${index}`), Infinity)
    const limit = capabilities.maxKeyBytes
    if (limit !== undefined && utf8Length(fullKey) > limit) {
      await assertRejectsWith(
        write,
        InvalidKeyError.isInstance,
        'InvalidKeyError',
        `set of hostile key #${index} over maxKeyBytes`,
      )
    } else if (REFUSABLE.has(suffix)) {
      const refused = await write().then(
        () => false,
        (error: unknown) => {
          assert.ok(
            InvalidKeyError.isInstance(error),
            `hostile key #${index} may be refused only with InvalidKeyError, got ${String(error)}`,
          )
          return true
        },
      )
      if (!refused) accepted.push(fullKey)
    } else {
      await write()
      accepted.push(fullKey)
    }
  }
  return accepted
}

async function assertGroup(context: CaseContext, group: string, keys: readonly string[]) {
  for (const fullKey of keys) {
    const index = hostileKeys.indexOf(fullKey.slice(context.key(group).length))
    assertBytes(
      await context.store.get(fullKey),
      utf8(`${group}#${index}`),
      `hostile key #${index}`,
    )
  }
}

export const hostileKeysCase: ConformanceCase = {
  name: 'hostile keys (unicode, /, .., glob and LIKE characters, \\n, \\0, case, 10,000 chars, naive hash collisions) round-trip distinctly and stay under their prefix',
  async run(context) {
    const { store, capabilities } = context
    const groupA = await writeGroup(context, 'A/')
    const groupB = await writeGroup(context, 'B/')
    await assertGroup(context, 'A/', groupA)
    await assertGroup(context, 'B/', groupB)
    if (capabilities.keys && store.keys) {
      const listed = await listKeys(store.keys(context.key('A/')))
      assert.deepEqual(listed, [...groupA].sort(), 'keys(prefix) lists hostile keys exactly')
    }
    await store.clear(context.key('A/'))
    for (const fullKey of groupA) {
      const index = hostileKeys.indexOf(fullKey.slice(context.key('A/').length))
      assertMissing(await store.get(fullKey), `hostile key #${index} after clear of its prefix`)
    }
    await assertGroup(context, 'B/', groupB)
  },
}

export const maxKeyBytesCase: ConformanceCase = {
  name: 'keys up to maxKeyBytes (UTF-8) work and longer ones reject with InvalidKeyError; without a limit a 40 kB key works',
  async run({ store, key, capabilities }) {
    const limit = capabilities.maxKeyBytes
    if (limit === undefined) {
      const huge = key('🔥'.repeat(10_000))
      await store.set(huge, utf8('huge'), Infinity)
      assertBytes(await store.get(huge), utf8('huge'), 'a 40 kB key')
      return
    }
    const room = limit - utf8Length(key(''))
    assert.ok(room >= 4, `maxKeyBytes ${limit} leaves no room for the suite's key prefix`)
    const longest = key('x'.repeat(room))
    await store.set(longest, utf8('fits'), Infinity)
    assertBytes(await store.get(longest), utf8('fits'), `a key of exactly ${limit} bytes`)
    const tooLong = key('x'.repeat(room + 1))
    // Three-byte characters: under the limit in UTF-16 code units, over it in UTF-8 bytes.
    const tooManyBytes = key('€'.repeat(Math.ceil((room + 1) / 3)))
    for (const [label, rejected] of [
      ['one byte over', tooLong],
      ['over in UTF-8 bytes', tooManyBytes],
    ] as const) {
      await assertRejectsWith(
        () => store.set(rejected, utf8('v'), Infinity),
        InvalidKeyError.isInstance,
        'InvalidKeyError',
        `set of a key ${label} maxKeyBytes`,
      )
    }
  },
}

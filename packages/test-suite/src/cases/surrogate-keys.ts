import * as assert from 'node:assert/strict'
import { InvalidKeyError } from '@stack/core'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { listKeys } from '../support/keys.js'

/**
 * Lone UTF-16 surrogates have no UTF-8 form: a store that writes keys as UTF-8 without
 * checking turns each into U+FFFD, so all four of these would share one entry.
 */
const SURROGATE_KEYS: readonly { readonly label: string; readonly suffix: string }[] = [
  { label: 'lone high surrogate \\uD800', suffix: '\uD800' },
  { label: 'lone low surrogate \\uDC00', suffix: '\uDC00' },
  { label: '"a\\uD800b"', suffix: 'a\uD800b' },
  { label: 'U+FFFD', suffix: '\uFFFD' },
]

/** `U+FFFD` is well-formed, so it must be stored; the others may be refused. */
const MUST_ACCEPT = '\uFFFD'

export const loneSurrogateKeysCase: ConformanceCase = {
  name: 'keys with lone UTF-16 surrogates round-trip distinctly (none collides with U+FFFD) or reject with InvalidKeyError',
  async run({ store, key, capabilities }) {
    const accepted: (typeof SURROGATE_KEYS)[number][] = []
    for (const entry of SURROGATE_KEYS) {
      const refusal = await store.set(key(entry.suffix), utf8(entry.label), Infinity).then(
        () => undefined,
        (error: unknown) => ({ error }),
      )
      if (refusal === undefined) {
        accepted.push(entry)
        continue
      }
      assert.ok(
        entry.suffix !== MUST_ACCEPT,
        `set of ${entry.label} (well-formed) must work, got ${String(refusal.error)}`,
      )
      assert.ok(
        InvalidKeyError.isInstance(refusal.error),
        `${entry.label} may be refused only with InvalidKeyError, got ${String(refusal.error)}`,
      )
    }
    // Read after every write, so a later key overwriting an earlier one shows.
    for (const { label, suffix } of accepted) {
      assertBytes(await store.get(key(suffix)), utf8(label), `key ${label}`)
    }
    if (capabilities.keys && store.keys) {
      assert.deepEqual(
        await listKeys(store.keys(key(''))),
        accepted.map(({ suffix }) => key(suffix)).sort(),
        'keys(prefix) lists each accepted surrogate key once, as written',
      )
    }
    await store.clear(key(''))
    for (const { label, suffix } of accepted) {
      assertMissing(await store.get(key(suffix)), `key ${label} after clear of its prefix`)
    }
  },
}

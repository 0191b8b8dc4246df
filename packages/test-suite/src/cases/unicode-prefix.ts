import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { listKeys } from '../support/keys.js'

/**
 * Pairs of strings that Unicode normalisation (NFC, NFD, NFKC) or case folding would
 * merge, but that are different keys: `clear` and `keys` compare code units, nothing else.
 */
const LOOKALIKE_PAIRS: readonly (readonly [label: string, first: string, second: string])[] = [
  ['é composed (NFC) and decomposed (NFD)', '\u00e9', 'e\u0301'],
  ['Å as a letter and as the angstrom sign', '\u00c5', '\u212b'],
  ['the ligature ﬁ and the letters fi (NFKC)', '\ufb01', 'fi'],
  ['ß and ss (case folding)', '\u00df', 'ss'],
]

export const unicodePrefixCase: ConformanceCase = {
  name: 'clear(prefix) and keys(prefix) compare code units: NFC and NFD, compatibility and case-folded forms of a prefix are different prefixes',
  async run({ store, key, capabilities }) {
    const groups = LOOKALIKE_PAIRS.map(([label, first, second], index) => {
      const group = key(`${index}/`)
      return {
        label,
        cleared: `${group}${first}/x`,
        kept: `${group}${second}/x`,
        prefix: group + first,
        secondPrefix: group + second,
      }
    })
    for (const { cleared, kept } of groups) {
      await store.set(cleared, utf8(cleared), Infinity)
      await store.set(kept, utf8(kept), Infinity)
    }
    if (capabilities.keys && store.keys) {
      for (const { label, cleared, kept, prefix, secondPrefix } of groups) {
        const first = await listKeys(store.keys(prefix))
        assert.deepEqual(first, [cleared], `keys() of the first form of ${label} lists only it`)
        const second = await listKeys(store.keys(secondPrefix))
        assert.deepEqual(second, [kept], `keys() of the second form of ${label} lists only it`)
      }
    }
    for (const { prefix } of groups) await store.clear(prefix)
    for (const { label, cleared, kept } of groups) {
      assertMissing(await store.get(cleared), `the first form of ${label} after clearing it`)
      assertBytes(
        await store.get(kept),
        utf8(kept),
        `the second form of ${label} after clearing the first`,
      )
    }
  },
}

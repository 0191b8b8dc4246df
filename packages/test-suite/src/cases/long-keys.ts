import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, patternBytes, utf8, utf8Length } from '../support/bytes.js'

const KEY_CHARACTERS = 30_000

/**
 * `KEY_CHARACTERS` characters of base64 over seeded pseudo-random bytes: unlike a repeated
 * character, it does not compress, so a backend that compresses long keys or rows (a
 * B-tree text primary key, for one) meets its real size.
 */
function incompressibleKey(seed: number): string {
  return Buffer.from(patternBytes((KEY_CHARACTERS / 4) * 3, seed)).toString('base64')
}

/** Three distinct long keys under `key('long/')`. */
function longKeys(key: (suffix: string) => string): string[] {
  return [1, 2, 3].map((seed) => key(`long/${incompressibleKey(seed)}`))
}

export const incompressibleLongKeysCase: ConformanceCase = {
  name: 'three incompressible 30,000-character keys round-trip distinctly and clear(prefix) removes them (when maxKeyBytes allows them)',
  appliesTo: ({ key, capabilities }) =>
    capabilities.maxKeyBytes === undefined ||
    longKeys(key).every((longKey) => utf8Length(longKey) <= (capabilities.maxKeyBytes ?? 0)),
  async run({ store, key }) {
    const keys = longKeys(key)
    assert.equal(new Set(keys).size, keys.length, 'the generated keys are distinct')
    for (const [index, longKey] of keys.entries()) {
      await store.set(longKey, utf8(`long #${index}`), Infinity)
    }
    for (const [index, longKey] of keys.entries()) {
      assertBytes(
        await store.get(longKey),
        utf8(`long #${index}`),
        `30,000-character key #${index}`,
      )
    }
    await store.clear(key('long/'))
    for (const [index, longKey] of keys.entries()) {
      assertMissing(await store.get(longKey), `30,000-character key #${index} after clear`)
    }
  },
}

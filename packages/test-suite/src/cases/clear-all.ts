import * as assert from 'node:assert/strict'
import type { RemoteStore } from '@stack/core'
import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'
import { listKeys } from '../support/keys.js'

/**
 * Keys written outside any test prefix: safe only in the namespace of `clearAll`, which
 * nothing else uses. They include keys that sort before and after everything else and
 * look like other namespaces' keys.
 */
const KEYS = ['a', 'z', '\uffff', ' ', 'stack:x', '../x', '*', 'deep/er/key', '🔥']

async function writeAll(store: RemoteStore, tag: string): Promise<void> {
  for (const key of KEYS) await store.set(key, utf8(`${tag} ${key}`), Infinity)
}

export const clearAllCase: ConformanceCase = {
  name: "clear('') removes every key the store can see, also those another instance wrote (when sharedBackend), and nothing in another namespace on the same backend (when clearAll is given)",
  appliesTo: ({ options }) => options.clearAll !== undefined,
  async run({ options, openOther, capabilities }) {
    const clearAll = options.clearAll!
    const writer = await openOther(clearAll.createStore)
    // Two instances on one namespace, unless each store is private (sharedBackend: false).
    const clearer = capabilities.sharedBackend ? await openOther(clearAll.createStore) : writer
    const neighbour = clearAll.createNeighbour && (await openOther(clearAll.createNeighbour))
    try {
      await writeAll(writer, 'own')
      if (neighbour) await writeAll(neighbour, 'neighbour')
      await clearer.clear('')
      for (const [name, reader] of [
        ['the instance that wrote', writer],
        ['the instance that cleared', clearer],
      ] as const) {
        for (const key of KEYS) {
          assertMissing(await reader.get(key), `"${key}" read by ${name} after clear('')`)
        }
      }
      if (capabilities.keys && clearer.keys) {
        assert.deepEqual(await listKeys(clearer.keys('')), [], "keys('') after clear('')")
      }
      if (!neighbour) return
      for (const key of KEYS) {
        assertBytes(
          await neighbour.get(key),
          utf8(`neighbour ${key}`),
          `"${key}" in another namespace after clear('')`,
        )
      }
    } finally {
      // Leave nothing behind in either namespace; the neighbour's other keys are not ours.
      await writer.clear('')
      if (neighbour) for (const key of KEYS) await neighbour.delete(key)
    }
  },
}

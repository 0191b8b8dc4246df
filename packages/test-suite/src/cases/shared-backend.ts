import type { ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'

export const sharedBackendCase: ConformanceCase = {
  name: 'two stores from createStore share one backend: B reads what A wrote, sees A clear(prefix), and both see B write after it (when capabilities.sharedBackend)',
  appliesTo: ({ capabilities }) => capabilities.sharedBackend,
  async run({ store: first, openPeer, key }) {
    const second = await openPeer()
    await first.set(key('shared/a'), utf8('from A'), Infinity)
    await first.set(key('kept'), utf8('kept'), Infinity)
    assertBytes(await second.get(key('shared/a')), utf8('from A'), 'B reading what A wrote')

    await first.clear(key('shared/'))
    assertMissing(await second.get(key('shared/a')), 'B reading a key A cleared')
    assertBytes(await second.get(key('kept')), utf8('kept'), "B reading a key outside A's clear")

    // Stores that log clears instead of deleting must not apply A's clear to B's new write.
    await second.set(key('shared/a'), utf8('from B'), Infinity)
    await second.set(key('shared/b'), utf8('from B too'), Infinity)
    for (const [name, reader] of [
      ['A', first],
      ['B', second],
    ] as const) {
      assertBytes(
        await reader.get(key('shared/a')),
        utf8('from B'),
        `${name} reading B's rewrite after A's clear`,
      )
      assertBytes(
        await reader.get(key('shared/b')),
        utf8('from B too'),
        `${name} reading B's write after A's clear`,
      )
    }
  },
}

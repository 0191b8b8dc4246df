import type { CaseContext, ConformanceCase } from '../case.js'
import { assertBytes, assertMissing, utf8 } from '../support/bytes.js'

/** Writes `suffixes` under the test prefix, each holding its own suffix as bytes. */
async function writeAll(context: CaseContext, suffixes: readonly string[]): Promise<void> {
  for (const suffix of suffixes) {
    await context.store.set(context.key(suffix), utf8(suffix), Infinity)
  }
}

async function assertCleared(context: CaseContext, suffixes: readonly string[], why: string) {
  for (const suffix of suffixes) {
    assertMissing(await context.store.get(context.key(suffix)), `"${suffix}" ${why}`)
  }
}

async function assertKept(context: CaseContext, suffixes: readonly string[], why: string) {
  for (const suffix of suffixes) {
    assertBytes(await context.store.get(context.key(suffix)), utf8(suffix), `"${suffix}" ${why}`)
  }
}

export const clearPrefixCase: ConformanceCase = {
  name: 'clear(prefix) removes exactly the keys that start with prefix',
  async run(context) {
    const removed = ['g/a', 'g/ab', 'g/a/b', 'g/a/b/c', 'g/a.x', 'g/a\n']
    const kept = ['g/', 'g/b', 'g/A', 'g/ba', 'g', 'h/a', 'g-a']
    await writeAll(context, [...removed, ...kept])
    await context.store.clear(context.key('g/a'))
    await assertCleared(context, removed, 'should be removed by clear("g/a")')
    await assertKept(context, kept, 'must survive clear("g/a")')
    await context.store.clear(context.key('no-such-prefix/'))
    await assertKept(context, kept, 'must survive clear of an unused prefix')
  },
}

/**
 * Characters with a meaning in globs (Redis MATCH, fs globs), SQL LIKE, regular
 * expressions or paths. Clearing `'a' + meta` must remove only keys that literally start
 * with it: `'a*'` must not remove `'ab'`, `'a_'` must not remove `'ab'`, and so on.
 */
const patternCharacters: readonly string[] = [
  '*',
  '?',
  '[a]',
  '[!a]',
  '[^a]',
  '[b-z]',
  '_',
  '%',
  '\\',
  '\\%',
  '.',
  '.*',
  '+',
  '(',
  '|',
  '$',
  '{',
  '/',
  '..',
  "'",
  ' ',
  '🔥',
]

/** Keys that a pattern-matching clear would wrongly remove for some character above. */
const lookalikes = ['a', 'aa', 'ab', 'abz', 'a%', 'a*', 'a\\', 'A', 'b', 'ba']

export const clearLiteralCase: ConformanceCase = {
  name: 'clear(prefix) takes prefix literally: glob, LIKE, regex and path characters match only themselves',
  async run(context) {
    const groups = patternCharacters.map((meta, index) => {
      const group = `${index}/`
      const prefix = `a${meta}`
      return {
        group,
        prefix: group + prefix,
        removed: [group + prefix, `${group + prefix}z`],
        kept: lookalikes.filter((key) => !key.startsWith(prefix)).map((key) => group + key),
      }
    })
    for (const { removed, kept } of groups) await writeAll(context, [...removed, ...kept])
    for (const { prefix } of groups) await context.store.clear(context.key(prefix))
    for (const { prefix, removed, kept } of groups) {
      await assertCleared(context, removed, `should be removed by clear("${prefix}")`)
      await assertKept(context, kept, `must survive clear("${prefix}")`)
    }
  },
}

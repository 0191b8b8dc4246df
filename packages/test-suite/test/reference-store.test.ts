import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { manualClock, runStoreConformance } from '../src/index.js'
import { referenceStore } from './reference/reference-store.js'

// The store docs/store-kit.md shows, run as a test so the example stays correct.
const runner = { describe, test, beforeAll, afterAll }
const entries = new Map()
const clock = manualClock()
const create = (extra: Record<string, unknown> = {}) =>
  referenceStore({ entries, namespace: 'main/', now: clock.now, ...extra })

runStoreConformance({
  name: 'the reference store of docs/store-kit.md',
  runner,
  clock,
  createStore: () => create(),
  createStoreWith: create,
  clearAll: {
    createStore: () => create({ namespace: 'cleared/' }),
    createNeighbour: () => create({ namespace: 'neighbour/' }),
  },
})

runStoreConformance({
  name: 'the reference store on the real clock',
  runner,
  createStore: () => referenceStore({ entries, namespace: 'real-clock/' }),
})

describe('the reference store', () => {
  const source = readFileSync(new URL('./reference/reference-store.ts', import.meta.url), 'utf8')

  test('is the code docs/store-kit.md shows, verbatim', () => {
    const docs = readFileSync(new URL('../../../docs/store-kit.md', import.meta.url), 'utf8')
    expect(docs).toContain(`\`\`\`ts\n${source}\`\`\``)
  })

  test('is under 100 lines', () => {
    expect(source.trimEnd().split('\n').length).toBeLessThan(100)
  })
})

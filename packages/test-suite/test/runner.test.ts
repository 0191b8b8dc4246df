import { describe, expect, test } from 'vitest'
import { conformanceCases, runStoreConformance } from '../src/index.js'
import { collectOutcomes, failedTitles, skippedTitles } from './support/collect.js'
import { type MapBackend, type MapStoreOptions, mapStore } from './support/map-store.js'

function onOneBackend(options: MapStoreOptions = {}) {
  const backend: MapBackend = new Map()
  return () => mapStore({ ...options, backend })
}

const VARIANT_TITLES = {
  native: '> native methods >',
  completeStore: "> through core's completeStore",
} as const

const titlesIn = (variant: keyof typeof VARIANT_TITLES, titles: readonly string[]) =>
  titles.filter((title) => title.includes(VARIANT_TITLES[variant]))

describe('the runner', () => {
  test('reports cases that do not apply as skipped, never as passed', async () => {
    const outcomes = await collectOutcomes({
      name: 'minimal',
      createStore: onOneBackend({ minimal: true }),
    })
    expect(failedTitles(outcomes)).toEqual([])
    const skipped = skippedTitles(outcomes)
    // No add, no getMany, no keys natively; no createStoreWith, no clearAll at all.
    for (const fragment of [
      'add under 50 concurrent',
      'getMany:',
      'rejects unknown options',
      "clear('')",
    ]) {
      expect(
        titlesIn('native', skipped).some((title) => title.includes(fragment)),
        fragment,
      ).toBe(true)
    }
    // Through completeStore the fallbacks exist, so getMany runs there; atomic add still does not.
    const throughFallbacks = titlesIn('completeStore', skipped)
    expect(throughFallbacks.some((title) => title.includes('getMany:'))).toBe(false)
    expect(throughFallbacks.some((title) => title.includes('add under 50 concurrent'))).toBe(true)
  })

  test('runs the completeStore variant once when completeStore(store) is the store itself', async () => {
    const outcomes = await collectOutcomes({ name: 'complete', createStore: onOneBackend() })
    const variant = titlesIn(
      'completeStore',
      outcomes.map((outcome) => outcome.title),
    )
    expect(variant).toHaveLength(conformanceCases.length)
    expect(titlesIn('completeStore', skippedTitles(outcomes))).toEqual(variant)
    for (const outcome of outcomes.filter((outcome) => variant.includes(outcome.title))) {
      expect(outcome.skipped).toMatch(/completeStore\(store\) returns the store itself/)
    }
  })

  test('with runner.skip (jest), registers what does not apply as skipped after a probe', async () => {
    const withContext = await collectOutcomes({
      name: 'm',
      createStore: onOneBackend({ minimal: true }),
    })
    const registered = await collectOutcomes(
      { name: 'm', createStore: onOneBackend({ minimal: true }) },
      { registerSkips: true },
    )
    expect(failedTitles(registered)).toEqual([])
    expect(skippedTitles(registered)).toEqual(skippedTitles(withContext))
  })

  test('rejects an unknown option of its own', () => {
    const runner = { describe: () => {}, test: () => {} }
    expect(() =>
      runStoreConformance({
        name: 'x',
        runner,
        createStore: () => mapStore(),
        timeout: 5,
      } as never),
    ).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION', option: 'timeout' }))
  })
})

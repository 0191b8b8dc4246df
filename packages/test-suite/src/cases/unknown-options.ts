import * as assert from 'node:assert/strict'
import { InvalidOptionError } from '@stack/core'
import type { ConformanceCase } from '../case.js'

/**
 * Options no store takes: cache options a user might pass to the wrong factory, and a
 * misspelling. Each must be refused, never ignored.
 */
const UNKNOWN_OPTIONS: readonly (readonly [name: string, value: unknown])[] = [
  ['ttl', 60_000],
  ['serializer', 'json'],
  ['stackSuiteMisspeltOptionn', true],
]

export const unknownOptionsCase: ConformanceCase = {
  name: 'the factory rejects unknown options with InvalidOptionError naming each (when createStoreWith is given)',
  appliesTo: ({ options }) => options.createStoreWith !== undefined,
  async run({ options, openOther }) {
    const createWith = options.createStoreWith!
    // The factory works with its usual options (the suite closes the store).
    await openOther(() => createWith({}))
    for (const [name, value] of UNKNOWN_OPTIONS) {
      let outcome: { store: unknown } | { error: unknown }
      try {
        outcome = { store: await createWith({ [name]: value }) }
      } catch (error) {
        outcome = { error }
      }
      if ('store' in outcome) {
        await (outcome.store as { close?: () => Promise<void> }).close?.()
        assert.fail(`the factory accepted the unknown option "${name}"`)
      }
      const { error } = outcome
      assert.ok(
        InvalidOptionError.isInstance(error) && error.option === name,
        `unknown option "${name}": expected InvalidOptionError naming it, got ${String(error)}`,
      )
    }
  },
}

import * as assert from 'node:assert/strict'
import type { ConformanceCase } from '../case.js'

export const setupCheckCase: ConformanceCase = {
  name: 'checkSetup (when implemented) resolves a list of { code, message } warnings, the same each time',
  appliesTo: ({ store }) => typeof store.checkSetup === 'function',
  async run({ store, key }) {
    const [first, second] = await Promise.all([store.checkSetup!(), store.checkSetup!()])
    for (const warnings of [first, second]) {
      assert.ok(
        Array.isArray(warnings),
        `checkSetup must resolve an array, got ${String(warnings)}`,
      )
      for (const warning of warnings) {
        assert.equal(typeof warning?.code, 'string', 'a warning needs a string code')
        assert.ok(warning.code.length > 0, 'a warning code must not be empty')
        assert.equal(typeof warning.message, 'string', 'a warning needs a string message')
        assert.ok(warning.message.length > 0, 'a warning message must not be empty')
      }
    }
    const codes = (warnings: typeof first) => warnings.map((warning) => warning.code).sort()
    assert.deepEqual(codes(second), codes(first), 'two checks of one setup disagree')
    // The check reads configuration only: the store still works as before.
    assert.equal(await store.get(key('setup-probe')), undefined)
  },
}

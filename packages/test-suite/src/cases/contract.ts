import * as assert from 'node:assert/strict'
import { STORE_CONTRACT_VERSION } from '@stack/core'
import type { ConformanceCase } from '../case.js'

const OPTIONAL_LIMITS = ['maxKeyBytes', 'maxValueBytes'] as const

export const contractCase: ConformanceCase = {
  name: 'declares its name, contract version and a well-formed capabilities object',
  async run({ store, variant }) {
    assert.equal(typeof store.name, 'string', 'name must be a string')
    assert.ok(store.name.length > 0, 'name must not be empty')
    assert.equal(store.contractVersion, STORE_CONTRACT_VERSION, 'contractVersion')
    const capabilities = store.capabilities
    assert.equal(typeof capabilities, 'object', 'capabilities must be an object')
    for (const flag of ['batch', 'add', 'keys'] as const) {
      assert.equal(typeof capabilities[flag], 'boolean', `capabilities.${flag} must be a boolean`)
    }
    assert.ok(
      capabilities.ttlGranularity === 'ms' || capabilities.ttlGranularity === 's',
      `capabilities.ttlGranularity must be 'ms' or 's', got ${String(capabilities.ttlGranularity)}`,
    )
    for (const limit of OPTIONAL_LIMITS) {
      const value = capabilities[limit]
      assert.ok(
        value === undefined || (Number.isSafeInteger(value) && value > 0),
        `capabilities.${limit} must be undefined or a positive integer, got ${String(value)}`,
      )
    }
    for (const method of ['get', 'set', 'delete', 'clear', 'close'] as const) {
      assert.equal(typeof store[method], 'function', `${method} must be a method`)
    }
    if (capabilities.batch) {
      for (const method of ['getMany', 'setMany', 'deleteMany'] as const) {
        assert.equal(typeof store[method], 'function', `capabilities.batch needs ${method}`)
      }
    }
    if (capabilities.add) assert.equal(typeof store.add, 'function', 'capabilities.add needs add')
    // completeStore adds a `keys` that rejects, so only the native store must agree both ways.
    if (variant === 'native') {
      assert.equal(
        typeof store.keys === 'function',
        capabilities.keys,
        'capabilities.keys must be true exactly when keys() is implemented',
      )
    }
  },
}

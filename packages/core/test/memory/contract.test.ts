import { memory } from '../../src/index.js'
import { describeLocalTierContract } from './local-tier-contract.js'

// LRU: the contract's capacity tests name the victims; other policies are tested in
// policies.test.ts.
describeLocalTierContract('memory()', (options) => memory({ policy: 'lru', ...options }), {
  defaultName: 'memory',
})

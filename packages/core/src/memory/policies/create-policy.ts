import type { Slots } from '../slots.js'
import { FifoPolicy } from './fifo.js'
import { LfuPolicy } from './lfu.js'
import { LruPolicy } from './lru.js'
import type { EvictionPolicy, EvictionPolicyName } from './policy.js'
import { TinyLfuPolicy } from './tinylfu.js'

/** Builds the policy for a tier bounded to `maxEntries` whose entries live in `slots`. */
export function createPolicy(
  name: EvictionPolicyName,
  maxEntries: number,
  slots: Slots<unknown>,
): EvictionPolicy {
  switch (name) {
    case 'lru':
      return new LruPolicy(slots)
    case 'lfu':
      return new LfuPolicy(slots)
    case 'fifo':
      return new FifoPolicy(slots)
    case 'tinylfu':
      return new TinyLfuPolicy(maxEntries, slots)
  }
}

import { FifoPolicy } from './fifo.js'
import { LfuPolicy } from './lfu.js'
import { LruPolicy } from './lru.js'
import type { EvictionPolicy, EvictionPolicyName } from './policy.js'
import { TinyLfuPolicy } from './tinylfu.js'

/** Builds the policy object for a tier bounded to `maxEntries`. */
export function createPolicy<V>(name: EvictionPolicyName, maxEntries: number): EvictionPolicy<V> {
  switch (name) {
    case 'lru':
      return new LruPolicy()
    case 'lfu':
      return new LfuPolicy()
    case 'fifo':
      return new FifoPolicy()
    case 'tinylfu':
      return new TinyLfuPolicy(maxEntries)
  }
}

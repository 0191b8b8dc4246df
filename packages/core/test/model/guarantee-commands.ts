import fc from 'fast-check'
import type { FaultProfile } from './fault-profiles.js'

/**
 * Commands of the guarantee model (faults.model.test.ts): every public mutation and
 * read, over namespaces and keys chosen so that a naive `namespace:key` join, a
 * reachable reserved space or a cache-wide tag makes two of them collide.
 */

/** `''` is the root cache; the others are `cache.namespace(id)`. */
export const NAMESPACES = ['', 'a', 'a:b', 'a:', '__stack', '%3A', 'ü#!'] as const
export const KEYS = ['k', 'b:k', ':k', 'lock:k', '__stack:tag:invalidated:t1', '%k'] as const
export const TAGS = ['t1', 't2'] as const

export type Namespace = (typeof NAMESPACES)[number]
export type Key = (typeof KEYS)[number]
export type Tag = (typeof TAGS)[number]

export interface Ref {
  readonly ns: Namespace
  readonly key: Key
}

export interface GuaranteeConfig {
  readonly profile: FaultProfile
  readonly local: boolean
  readonly remotes: 1 | 2
  readonly writeBehind: boolean
  /** Seeds the fault policies of the remote tiers. */
  readonly faultSeed: number
}

export type RaceMutation = 'delete' | 'set' | 'clear' | 'invalidateTags'

export type GuaranteeCommand =
  | ({ readonly op: 'set'; readonly tags: readonly Tag[] } & Ref)
  | ({ readonly op: 'get' } & Ref)
  | ({ readonly op: 'getOrSet'; readonly tags: readonly Tag[]; readonly fails: boolean } & Ref)
  | ({ readonly op: 'add'; readonly tags: readonly Tag[] } & Ref)
  | ({ readonly op: 'delete' } & Ref)
  | { readonly op: 'deleteMany'; readonly ns: Namespace; readonly keys: readonly Key[] }
  | {
      readonly op: 'setMany'
      readonly ns: Namespace
      readonly items: readonly { readonly key: Key; readonly tags: readonly Tag[] }[]
    }
  | { readonly op: 'clear'; readonly ns: Namespace }
  | {
      readonly op: 'invalidateTags' | 'expireTags'
      readonly ns: Namespace
      readonly tags: readonly Tag[]
    }
  /**
   * A `getOrSet` of the key racing a mutation of the key (or a clear or tag invalidation
   * of its namespace): its loader returns `gap` event-loop turns before the mutation
   * starts (its write may be in flight then), or only once the mutation resolved.
   */
  | ({
      readonly op: 'race'
      readonly tags: readonly Tag[]
      readonly mutation: RaceMutation
      readonly loaderReturns: 'before-mutation' | 'after-mutation'
      readonly gap: number
    } & Ref)
  /** Lets every held (hanging or late) store call apply now. */
  | { readonly op: 'release' }
  /** Lets background work run for `ticks` ticks with no call in flight. */
  | { readonly op: 'idle'; readonly ticks: number }

const namespace = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Namespace>('', 'a', 'a:b') },
  { weight: 2, arbitrary: fc.constantFrom<Namespace>(...NAMESPACES) },
)
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Key>('k', 'b:k') },
  { weight: 2, arbitrary: fc.constantFrom<Key>(...KEYS) },
)
const ref = fc.record({ ns: namespace, key })
const tags = fc.subarray([...TAGS])
const someTags = fc.subarray([...TAGS], { minLength: 1 })

function withRef<T extends object>(op: string, fields: fc.Arbitrary<T>) {
  return fc.tuple(ref, fields).map(([r, rest]) => ({ op, ...r, ...rest }) as GuaranteeCommand)
}

export function guaranteeConfig(profile: FaultProfile): fc.Arbitrary<GuaranteeConfig> {
  return fc.record({
    profile: fc.constant(profile),
    local: fc.boolean(),
    remotes: fc.constantFrom(1 as const, 2 as const),
    writeBehind: fc.boolean(),
    faultSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
}

export const guaranteeCommand: fc.Arbitrary<GuaranteeCommand> = fc.oneof(
  { weight: 6, arbitrary: withRef('set', fc.record({ tags })) },
  { weight: 5, arbitrary: withRef('get', fc.constant({})) },
  {
    weight: 5,
    arbitrary: withRef('getOrSet', fc.record({ tags, fails: fc.boolean() })),
  },
  { weight: 2, arbitrary: withRef('add', fc.record({ tags })) },
  { weight: 4, arbitrary: withRef('delete', fc.constant({})) },
  {
    weight: 1,
    arbitrary: fc
      .record({ ns: namespace, keys: fc.uniqueArray(key, { minLength: 1, maxLength: 3 }) })
      .map((c): GuaranteeCommand => ({ op: 'deleteMany', ...c })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        ns: namespace,
        items: fc.uniqueArray(fc.record({ key, tags }), {
          minLength: 1,
          maxLength: 3,
          selector: (item) => item.key,
        }),
      })
      .map((c): GuaranteeCommand => ({ op: 'setMany', ...c })),
  },
  { weight: 2, arbitrary: namespace.map((ns): GuaranteeCommand => ({ op: 'clear', ns })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        op: fc.constantFrom('invalidateTags' as const, 'expireTags' as const),
        ns: namespace,
        tags: someTags,
      })
      .map((c): GuaranteeCommand => c),
  },
  {
    weight: 3,
    arbitrary: withRef(
      'race',
      fc.record({
        tags: someTags,
        mutation: fc.constantFrom<RaceMutation>('delete', 'set', 'clear', 'invalidateTags'),
        loaderReturns: fc.constantFrom('before-mutation' as const, 'after-mutation' as const),
        gap: fc.integer({ min: 0, max: 4 }),
      }),
    ),
  },
  { weight: 1, arbitrary: fc.constant<GuaranteeCommand>({ op: 'release' }) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 1, max: 8 })
      .map((ticks): GuaranteeCommand => ({ op: 'idle', ticks })),
  },
)

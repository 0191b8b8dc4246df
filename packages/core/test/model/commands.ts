import fc from 'fast-check'
import type { Tiers } from './reference-cache.js'

/** The cache under test: which tiers it has and its freshness windows (ttl is fixed). */
export interface SystemConfig {
  readonly local: boolean
  readonly remotes: 0 | 1 | 2
  readonly staleWhileRevalidate: number
  readonly grace: number
  /** Whether the cache and the "other" cache sharing its remote tiers talk over a bus. */
  readonly bus: boolean
}

/** The cache-wide ttl; per-call ttls and clock steps are drawn around it. */
export const TTL = 1_000
export const GRACE_BACKOFF = 500

export type Scope = 'root' | 'a' | 'b'
export interface KeyRef {
  readonly scope: Scope
  readonly key: 'k1' | 'k2'
}

/** Every full key the commands can touch, for the after-each-command tier comparison. */
export const ALL_KEY_REFS: readonly KeyRef[] = (['root', 'a', 'b'] as const).flatMap((scope) =>
  (['k1', 'k2'] as const).map((key) => ({ scope, key })),
)
export const TAG_POOL = ['t1', 't2', 't3'] as const

/** The key stores see (docs/engine.md, key layout): the namespace path, `#`, the caller key. */
export function fullKey(ref: KeyRef): string {
  return ref.scope === 'root' ? `#${ref.key}` : `${ref.scope}:#${ref.key}`
}

interface Write {
  readonly ttl: number | undefined
  readonly tags: readonly string[]
}

export type Command =
  | ({ readonly op: 'set'; readonly tiers: Tiers | undefined } & KeyRef & Write)
  | ({ readonly op: 'get'; readonly tiers: Tiers | undefined } & KeyRef)
  | ({ readonly op: 'getOrSet'; readonly fails: boolean } & KeyRef & Write)
  | ({ readonly op: 'add' } & KeyRef & Write)
  | ({ readonly op: 'delete' } & KeyRef)
  | { readonly op: 'getMany'; readonly refs: readonly KeyRef[] }
  | { readonly op: 'deleteMany'; readonly refs: readonly KeyRef[] }
  | { readonly op: 'advance'; readonly ms: number }
  | ({
      readonly op: 'advanceToEdge'
      readonly edge: 'freshUntil' | 'staleUntil'
      readonly delta: -1 | 0 | 1
    } & KeyRef)
  | { readonly op: 'changeTags'; readonly tags: readonly string[]; readonly hard: boolean }
  | { readonly op: 'clear'; readonly namespace: 'a' | 'b' }
  | ({ readonly op: 'otherSet' } & KeyRef & Write)
  | ({ readonly op: 'otherDelete' } & KeyRef)
  | { readonly op: 'otherChangeTags'; readonly tags: readonly string[]; readonly hard: boolean }
  | { readonly op: 'otherClear'; readonly namespace: 'a' | 'b' }

export const configArbitrary: fc.Arbitrary<SystemConfig> = fc
  .record({
    local: fc.boolean(),
    remotes: fc.constantFrom(0 as const, 1 as const, 2 as const),
    staleWhileRevalidate: fc.constantFrom(0, 300, 1_500),
    grace: fc.constantFrom(0, 600),
    bus: fc.boolean(),
  })
  .filter((config) => config.local || config.remotes > 0)

/** Skewed towards one key so that sequences revisit it often. */
const keyRef = fc.record({
  scope: fc.oneof(
    { weight: 2, arbitrary: fc.constant<Scope>('root') },
    { weight: 1, arbitrary: fc.constantFrom<Scope>('a', 'b') },
  ),
  key: fc.oneof(
    { weight: 3, arbitrary: fc.constant('k1' as const) },
    { weight: 1, arbitrary: fc.constant('k2' as const) },
  ),
})
const ttl = fc.constantFrom(undefined, 0, 1, 250, TTL)
const tags = fc.oneof(
  { weight: 2, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.subarray([...TAG_POOL], { minLength: 1 }) },
)
const someTags = fc.subarray([...TAG_POOL], { minLength: 1 })
/** Loaders fail now and then, to exercise grace. */
const fails = fc.oneof(
  { weight: 3, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
)
const tiers = fc.constantFrom<Tiers | undefined>(undefined, 'local', 'remote')
const refs = fc.array(keyRef, { minLength: 1, maxLength: 4 })
const namespace = fc.constantFrom('a' as const, 'b' as const)
/** Clock steps from 0 to 2x ttl, biased towards the ttl and window boundaries. */
const step = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      0,
      1,
      249,
      250,
      251,
      299,
      300,
      301,
      599,
      600,
      601,
      999,
      TTL,
      1_001,
      1_500,
      2_000,
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 * TTL }) },
)

function withKey<T extends object>(op: string, fields: fc.Arbitrary<T>) {
  return fc.tuple(keyRef, fields).map(([ref, rest]) => ({ op, ...ref, ...rest }) as Command)
}

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: withKey('set', fc.record({ ttl, tags, tiers })) },
  { weight: 6, arbitrary: withKey('get', fc.record({ tiers })) },
  { weight: 5, arbitrary: withKey('getOrSet', fc.record({ ttl, tags, fails })) },
  { weight: 2, arbitrary: withKey('add', fc.record({ ttl, tags })) },
  { weight: 2, arbitrary: withKey('delete', fc.constant({})) },
  { weight: 2, arbitrary: refs.map((list): Command => ({ op: 'getMany', refs: list })) },
  { weight: 1, arbitrary: refs.map((list): Command => ({ op: 'deleteMany', refs: list })) },
  { weight: 3, arbitrary: step.map((ms): Command => ({ op: 'advance', ms })) },
  {
    weight: 2,
    arbitrary: withKey(
      'advanceToEdge',
      fc.record({
        edge: fc.constantFrom('freshUntil' as const, 'staleUntil' as const),
        delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ tags: someTags, hard: fc.boolean() })
      .map((change): Command => ({ op: 'changeTags', ...change })),
  },
  { weight: 1, arbitrary: namespace.map((ns): Command => ({ op: 'clear', namespace: ns })) },
  { weight: 2, arbitrary: withKey('otherSet', fc.record({ ttl, tags })) },
  { weight: 1, arbitrary: withKey('otherDelete', fc.constant({})) },
  {
    weight: 1,
    arbitrary: fc
      .record({ tags: someTags, hard: fc.boolean() })
      .map((change): Command => ({ op: 'otherChangeTags', ...change })),
  },
  { weight: 1, arbitrary: namespace.map((ns): Command => ({ op: 'otherClear', namespace: ns })) },
)

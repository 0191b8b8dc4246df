import fc from 'fast-check'

/** What a serializer claims to round-trip; each flag adds values of that kind. */
export interface ValueProfile {
  readonly undefined: boolean
  /** NaN, ±Infinity. */
  readonly nonFinite: boolean
  readonly negativeZero: boolean
  readonly bigint: boolean
  /** Strings (and keys) holding lone UTF-16 surrogates. */
  readonly loneSurrogates: boolean
  readonly dates: boolean
  readonly regexps: boolean
  readonly mapsAndSets: boolean
  readonly binary: boolean
  readonly boxed: boolean
  readonly errors: boolean
  readonly nullPrototype: boolean
  /** Frozen, sealed and non-extensible objects. */
  readonly integrity: boolean
  readonly holes: boolean
  readonly sharedReferences: boolean
  readonly cycles: boolean
  /** Own `__proto__` keys (defined as data, never as the prototype). */
  readonly protoKey: boolean
}

const PROFILE_KINDS = [
  'undefined',
  'nonFinite',
  'negativeZero',
  'bigint',
  'loneSurrogates',
  'dates',
  'regexps',
  'mapsAndSets',
  'binary',
  'boxed',
  'errors',
  'nullPrototype',
  'integrity',
  'holes',
  'sharedReferences',
  'cycles',
  'protoKey',
] as const satisfies readonly (keyof ValueProfile)[]

/** A profile with exactly `kinds` switched on (plain objects, arrays, strings, finite numbers always). */
export function profileOf(...kinds: (keyof ValueProfile)[]): ValueProfile {
  return Object.fromEntries(
    PROFILE_KINDS.map((kind) => [kind, kinds.includes(kind)]),
  ) as unknown as ValueProfile
}

/** Every kind: the default serializer's promise. */
export const ALL_KINDS: readonly (keyof ValueProfile)[] = PROFILE_KINDS

/** Keys that trip naive copies: prototype method names, integers, empty, spaces. */
const TRICKY_KEYS = ['constructor', 'toString', 'valueOf', '0', '10', '', 'a b', 'length']

/** An object with exactly these own enumerable data properties (defined, never assigned). */
function defineAll(target: object, entries: readonly (readonly [string, unknown])[]): object {
  for (const [key, value] of entries) {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return target
}

/** Values the serializer described by `profile` must round-trip exactly. */
export function roundTrippable(profile: ValueProfile): fc.Arbitrary<unknown> {
  const text = fc.string({ unit: profile.loneSurrogates ? 'binary' : 'grapheme', maxLength: 12 })
  // fast-check's strings include '__proto__' now and then: only profiles that keep it get it.
  const key = fc
    .oneof(text, fc.constantFrom(...TRICKY_KEYS, '__proto__'))
    .filter((name) => profile.protoKey || name !== '__proto__')

  const number = fc
    .double({ noNaN: !profile.nonFinite, noDefaultInfinity: !profile.nonFinite })
    .filter((n) => profile.negativeZero || !Object.is(n, -0))
  const edgeNumbers = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53) - 2, 0.1, 5e-324]
  edgeNumbers.push(Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 64, 1e21)
  if (profile.negativeZero) edgeNumbers.push(-0)
  if (profile.nonFinite)
    edgeNumbers.push(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)
  const leaves: fc.Arbitrary<unknown>[] = [
    number,
    fc.constantFrom(...edgeNumbers),
    fc.integer(),
    text,
    fc.boolean(),
    fc.constant(null),
  ]
  if (profile.undefined) leaves.push(fc.constant(undefined))
  if (profile.bigint) leaves.push(fc.bigInt())
  if (profile.dates) leaves.push(fc.date({ noInvalidDate: false }))
  if (profile.regexps)
    leaves.push(fc.constantFrom(/a+b/gi, /^x$/m, /[\u{1F600}]/u, /./s).map((r) => new RegExp(r)))
  if (profile.binary) {
    leaves.push(
      fc.uint8Array({ maxLength: 8 }),
      fc.float64Array({ maxLength: 4 }),
      fc.int32Array({ maxLength: 4 }),
      fc.bigInt64Array({ maxLength: 2 }),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => bytes.slice().buffer),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => new DataView(bytes.slice().buffer)),
    )
  }
  if (profile.boxed) {
    leaves.push(
      number.map((n) => Object(n)),
      text.map((s) => Object(s)),
      fc.boolean().map((b) => Object(b)),
    )
  }
  const { value } = fc.letrec((tie) => {
    const child = tie('value')
    const containers: fc.Arbitrary<unknown>[] = [
      fc.array(fc.tuple(key, child), { maxLength: 4 }).map((entries) => defineAll({}, entries)),
      fc.array(child, { maxLength: 4 }),
    ]
    if (profile.holes) containers.push(fc.sparseArray(child, { maxLength: 5 }))
    if (profile.nullPrototype) {
      containers.push(
        fc
          .array(fc.tuple(key, child), { maxLength: 3 })
          .map((entries) => defineAll(Object.create(null), entries)),
      )
    }
    if (profile.mapsAndSets) {
      containers.push(
        fc.array(fc.tuple(child, child), { maxLength: 3 }).map((entries) => new Map(entries)),
        fc.array(child, { maxLength: 3 }).map((members) => new Set(members)),
      )
    }
    if (profile.integrity) {
      containers.push(
        fc
          .tuple(
            fc.array(fc.tuple(key, child), { maxLength: 3 }),
            fc.constantFrom(Object.freeze, Object.seal, Object.preventExtensions),
          )
          .map(([entries, lock]) => lock(defineAll({}, entries))),
        fc.array(child, { maxLength: 3 }).map((items) => Object.freeze(items)),
      )
    }
    if (profile.errors) containers.push(standardError(text, child))
    if (profile.sharedReferences) {
      containers.push(child.filter(isObject).map((shared) => ({ first: shared, again: [shared] })))
    }
    if (profile.cycles) {
      containers.push(
        fc.array(fc.tuple(key, child), { maxLength: 2 }).map((entries) => {
          const node = defineAll({}, entries) as { self?: unknown }
          node.self = node
          return node
        }),
      )
    }
    return {
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(...leaves),
        ...containers,
      ),
    }
  })
  return value
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

const STANDARD_ERRORS = [
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
]

/** Standard errors with a message, maybe a cause, an own `code`, extra fields, a custom name. */
function standardError(
  text: fc.Arbitrary<string>,
  child: fc.Arbitrary<unknown>,
): fc.Arbitrary<Error> {
  return fc
    .record({
      type: fc.constantFrom(...STANDARD_ERRORS),
      message: text,
      cause: fc.option(child, { nil: undefined }),
      withCause: fc.boolean(),
      code: fc.option(fc.constantFrom('ENOENT', 'E_TIMEOUT', 42), { nil: undefined }),
      extra: fc.option(child, { nil: undefined }),
      name: fc.option(fc.constantFrom('NotFoundError', 'Custom'), { nil: undefined }),
    })
    .map(({ type, message, cause, withCause, code, extra, name }) => {
      const error = withCause ? new type(message, { cause }) : new type(message)
      const fields: [string, unknown][] = []
      if (code !== undefined) fields.push(['code', code])
      if (extra !== undefined) fields.push(['details', extra])
      // A custom name is only faithful on a plain Error: node:v8 restores unknown names as Error.
      if (name !== undefined && type === Error) fields.push(['name', name])
      return defineAll(error, fields) as Error
    })
}

/** A value that must be refused, and the path the refusal must name. */
export interface Refusable {
  readonly value: unknown
  readonly path: string
}

/** Puts `bad` at `$.outer.bad` (or inside an array) next to round-trippable siblings. */
export function refusable(
  profile: ValueProfile,
  bad: fc.Arbitrary<unknown>,
): fc.Arbitrary<Refusable> {
  const sibling = roundTrippable(profile)
  return fc.oneof(
    fc.tuple(sibling, bad).map(([other, thing]) => ({
      value: { other, outer: { bad: thing } },
      path: '$.outer.bad',
    })),
    fc.tuple(sibling, bad).map(([other, thing]) => ({ value: [other, thing], path: '$[1]' })),
  )
}

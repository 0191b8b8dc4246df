import fc from 'fast-check'
import { expect, test } from 'vitest'
import { EnvelopeCodec, SerializationError, type Serializer } from '../../src/index.js'
import { refusable, roundTrippable, type ValueProfile } from './arbitraries.js'
import { firstDifference } from './exact-equal.js'

/** A named maker of a value some serializer must refuse, and the reason it must give. */
export type Hostile = readonly [name: string, make: () => unknown, reason: RegExp]

/** What every serializer refuses in an object's own properties (see `forEachOwnProperty`). */
export const PROPERTY_HOSTILES: readonly Hostile[] = [
  ['a symbol-keyed property', () => ({ [Symbol('s')]: 1 }), /symbol-keyed/],
  [
    'a non-enumerable property',
    () => Object.defineProperty({}, 'h', { value: 1 }),
    /\.h is a non-enumerable/,
  ],
  [
    'a getter',
    () => Object.defineProperty({}, 'g', { get: () => 1, enumerable: true }),
    /\.g is an accessor/,
  ],
]

/**
 * Property: a value holding any of `hostile` at a known path is refused through the
 * envelope with a `SerializationError` that names the key and that path.
 */
function assertRefusesWithPath(
  serializer: Serializer,
  profile: ValueProfile,
  hostile: readonly Hostile[],
): void {
  const codec = new EnvelopeCodec({ serializer, compressThreshold: Number.POSITIVE_INFINITY })
  const bad = fc.constantFrom(...hostile).map(([, make]) => make())
  fc.assert(
    fc.property(refusable(profile, bad), ({ value, path }) => {
      let error: unknown
      try {
        codec.encode('the-key', { value, createdAt: 0, freshUntil: 1, staleUntil: 2, tags: [] })
      } catch (caught) {
        error = caught
      }
      expect(SerializationError.isInstance(error)).toBe(true)
      expect((error as SerializationError).key).toBe('the-key')
      expect((error as Error).message).toContain(path)
    }),
    { numRuns: 300 },
  )
}

/**
 * The tests every serializer owes its promise: values of `profile` round-trip exactly,
 * and each of `hostile` is refused (alone with its reason, and at a known path inside a
 * larger value with a `SerializationError` naming the key and that path).
 * `SERIALIZER_RUNS=5000` runs the round-trip property longer than CI's 400.
 */
export function serializerContract(
  serializer: Serializer,
  profile: ValueProfile,
  hostile: readonly Hostile[],
): void {
  const roundTrip = (value: unknown) => serializer.deserialize(serializer.serialize(value))
  test('property: every value in its promise comes back exactly (Object.is, prototypes, descriptors, sharing)', () => {
    fc.assert(
      fc.property(roundTrippable(profile), (value) => {
        expect(firstDifference(value, roundTrip(value))).toBeUndefined()
      }),
      { numRuns: Number(process.env.SERIALIZER_RUNS ?? 400) },
    )
  }, 60_000)

  test('property: whatever it cannot keep is refused with SerializationError naming key and path', () => {
    assertRefusesWithPath(serializer, profile, hostile)
  }, 60_000)

  test.each(hostile)('refuses %s with a reason', (_, make, reason) => {
    expect(() => serializer.serialize({ at: make() })).toThrow(reason)
  })
}

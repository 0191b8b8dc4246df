import fc from 'fast-check'
import { expect } from 'vitest'
import { EnvelopeCodec, SerializationError, type Serializer } from '../../src/index.js'
import { refusable, type ValueProfile } from './arbitraries.js'

/** A named maker of a value some serializer must refuse, and the reason it must give. */
export type Hostile = readonly [name: string, make: () => unknown, reason: RegExp]

/**
 * Property: a value holding any of `hostile` at a known path is refused through the
 * envelope with a `SerializationError` that names the key and that path.
 */
export function assertRefusesWithPath(
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

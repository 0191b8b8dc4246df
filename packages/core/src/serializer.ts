/**
 * Turns values into bytes for remote tiers and back. The memory tier never
 * serializes.
 *
 * A serializer must never execute code while decoding, must throw (core wraps it
 * in a `SerializationError` naming the key) rather than silently lose information
 * while encoding, and must throw on bytes it did not produce.
 */
export interface Serializer {
  /** Short name, e.g. `'v8'`, `'json'`, `'msgpack'`. */
  readonly name: string
  /**
   * Identifier written into every envelope (1–15; 1–3 are taken by `json`, `v8` and
   * `msgpack`, 8–15 are free for user serializers). A payload whose id differs from
   * the reading cache's serializer is a counted decode miss.
   */
  readonly id: number
  serialize(value: unknown): Uint8Array
  deserialize(bytes: Uint8Array): unknown
}

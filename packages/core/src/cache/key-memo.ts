import { ClosedError, InvalidKeyError } from '../errors.js'
import type { CacheRuntime } from './runtime.js'

/** Full keys a cache view remembers at most; past it, it starts over. */
const REMEMBERED_KEYS = 10_000
/** Longer keys are not remembered, so the memo stays small whatever keys callers use. */
const REMEMBERED_KEY_LENGTH = 256

/**
 * Turns a namespace's caller keys into full keys (its key base + the key), validating
 * them and refusing every call once the cache is closed. The full keys of the keys seen
 * lately are remembered (bounded): a concatenated key is hashed anew by every `Map`
 * lookup it meets, a remembered one carries its hash, which keeps the local hit path as
 * cheap as an unprefixed key.
 */
export class FullKeys {
  readonly #rt: CacheRuntime
  /** What the namespace's full keys start with: its path and the key mark. */
  readonly #base: string
  readonly #memo = new Map<string, string>()

  constructor(runtime: CacheRuntime, base: string) {
    this.#rt = runtime
    this.#base = base
  }

  /** The full key of `key`; throws `ClosedError` after `close()`, `InvalidKeyError` for a bad key. */
  of(key: string): string {
    if (this.#rt.closing !== undefined) throw new ClosedError(this.#rt.options.name)
    const known = this.#memo.get(key)
    if (known !== undefined) return known
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidKeyError(
        `a cache key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
        typeof key === 'string' ? key : undefined,
      )
    }
    const fullKey = this.#base + key
    if (key.length > REMEMBERED_KEY_LENGTH) return fullKey
    if (this.#memo.size >= REMEMBERED_KEYS) this.#memo.clear()
    this.#memo.set(key, fullKey)
    return fullKey
  }

  /** The full keys of `keys`, in order. */
  ofMany(keys: readonly string[]): string[] {
    if (!Array.isArray(keys)) throw new InvalidKeyError('expected an array of keys')
    return keys.map((key) => this.of(key))
  }
}

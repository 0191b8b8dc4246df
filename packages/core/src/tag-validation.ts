import { InvalidOptionError } from './errors.js'
import { isWellFormedUnicode } from './store-kit/validate.js'

/** Most tags one entry can carry (the envelope stores the count as a uint16). */
export const MAX_TAGS = 0xffff

/** Longest tag in UTF-8 bytes (the envelope stores each length as a uint16). */
export const MAX_TAG_BYTES = 0xffff

/**
 * Throws `InvalidOptionError` (option `'tags'`, code `E_INVALID_OPTION`) unless `tags` is
 * `undefined` or an array of at most {@link MAX_TAGS} non-empty, well-formed strings of at
 * most {@link MAX_TAG_BYTES} UTF-8 bytes each. A lone surrogate is refused because it has
 * no UTF-8 form: stored, it would become U+FFFD and never match its own invalidation.
 * `key`, when given, is named in the message.
 *
 * @example
 * ```ts
 * validateTags(['user:1', 'team:7']) // fine
 * validateTags(['user:\uD800']) // throws InvalidOptionError naming the tag
 * ```
 */
export function validateTags(tags: unknown, key?: string): void {
  if (tags === undefined) return
  const where = key === undefined ? '' : ` of key "${key}"`
  if (!Array.isArray(tags)) {
    throw new InvalidOptionError('tags', `tags${where} must be an array of non-empty strings`)
  }
  if (tags.length > MAX_TAGS) {
    throw new InvalidOptionError(
      'tags',
      `an entry${where} carries ${tags.length} tags; the most an entry can carry is ${MAX_TAGS}`,
    )
  }
  for (const [index, tag] of tags.entries()) {
    const problem = tagProblem(tag)
    if (problem !== undefined) {
      throw new InvalidOptionError('tags', `tags[${index}]${where} ${problem}`)
    }
  }
}

/** Why `tag` cannot be stored, or `undefined` when it can. */
function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag === '') {
    return `must be a non-empty string, got ${typeof tag === 'string' ? 'an empty string' : typeof tag}`
  }
  if (!isWellFormedUnicode(tag)) {
    return `${quote(tag)} holds a lone UTF-16 surrogate, which has no UTF-8 form`
  }
  const bytes = Buffer.byteLength(tag, 'utf8')
  if (bytes > MAX_TAG_BYTES) {
    return `${quote(tag)} is ${bytes} bytes in UTF-8; the longest tag is ${MAX_TAG_BYTES} bytes`
  }
  return undefined
}

/** `tag` as a JSON string (lone surrogates escaped, so they show), cut to 60 characters. */
function quote(tag: string): string {
  return tag.length > 60 ? `${JSON.stringify(tag.slice(0, 60))}...` : JSON.stringify(tag)
}

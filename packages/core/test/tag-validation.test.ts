import { describe, expect, test } from 'vitest'
import { InvalidOptionError } from '../src/index.js'
import { MAX_TAG_BYTES, MAX_TAGS, validateTags } from '../src/tag-validation.js'
import { thrown } from './envelope/helpers.js'

describe('validateTags', () => {
  test('accepts undefined, an empty list and ordinary tags', () => {
    expect(() => validateTags(undefined)).not.toThrow()
    expect(() => validateTags([])).not.toThrow()
    expect(() => validateTags(['user:1', 'ünï', '😀', 'x'.repeat(MAX_TAG_BYTES)])).not.toThrow()
  })

  test.each([
    ['a string', 'user:1', /must be an array/],
    ['an object', { 0: 'a' }, /must be an array/],
    ['a number inside', ['a', 2], /tags\[1\] must be a non-empty string, got number/],
    ['an empty tag', [''], /tags\[0\] must be a non-empty string, got an empty string/],
    ['a lone high surrogate', ['user:\uD800'], /tags\[0\] "user:\\ud800" holds a lone/],
    ['a lone low surrogate', ['\uDFFF'], /lone UTF-16 surrogate/],
    ['a reversed pair', ['\uDE00\uD83D'], /lone UTF-16 surrogate/],
    ['too many UTF-8 bytes', ['€'.repeat(21_846)], /65538 bytes in UTF-8/],
    ['too many tags', Array.from({ length: MAX_TAGS + 1 }, () => 't'), /65536 tags/],
  ])('refuses %s with InvalidOptionError (option "tags")', (_, tags, message) => {
    const error = thrown(() => validateTags(tags))
    expect(InvalidOptionError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'E_INVALID_OPTION', option: 'tags' })
    expect((error as Error).message).toMatch(message)
  })

  test('cuts a long offending tag in the message', () => {
    expect(() => validateTags([`${'a'.repeat(100)}\uD800`])).toThrow(/"a{60}"\.\.\. holds a lone/)
  })
})

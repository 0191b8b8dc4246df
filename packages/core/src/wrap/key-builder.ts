import { InvalidKeyError, InvalidOptionError } from '../errors.js'
import { argumentsKey } from './argument-hash.js'
import { compileExclusions } from './exclusions.js'
import { compileTemplate, describeValue } from './key-template.js'
import type { KeyOption, TagsOption } from './options.js'

/** Builds one call's key (or tags) from the receiver and the arguments. */
export type CallFunction<R> = (self: unknown, args: readonly unknown[]) => R

/**
 * The key of a call, from a template, a key function (called with the receiver as
 * `this`), or by default `<name>:<arguments>` with `name` resolved at call time.
 */
export function keyBuilder(
  key: KeyOption<never> | undefined,
  exclude: readonly (number | string)[] | undefined,
  name: (self: unknown) => string,
): CallFunction<string> {
  if (key !== undefined && exclude !== undefined) {
    throw new InvalidOptionError(
      'exclude',
      'exclude applies only to the default key; leave those arguments out of your key instead',
    )
  }
  if (typeof key === 'string') {
    const template = compileTemplate(key, 'key')
    return (_, args) => template(args)
  }
  if (typeof key === 'function') {
    const keyFunction = key as (...args: readonly unknown[]) => unknown
    return (self, args) => {
      const result = keyFunction.apply(self, args as unknown[])
      if (typeof result !== 'string' || result === '') {
        throw new InvalidKeyError(
          `a key function returned ${result === '' ? 'an empty string' : describeValue(result)}; it must return a non-empty string`,
        )
      }
      return result
    }
  }
  if (key !== undefined) {
    throw new InvalidOptionError(
      'key',
      `key must be a template string or a function, got ${describeValue(key)}`,
    )
  }
  const exclusions = exclude === undefined ? undefined : compileExclusions(exclude)
  return (self, args) => {
    const subject = name(self)
    return `${subject}:${argumentsKey(args, exclusions, subject)}`
  }
}

/**
 * The tags of a call: a constant list when no tag has a placeholder, a function of the
 * call otherwise, or `undefined` when the option is absent.
 */
export function tagsBuilder(
  tags: TagsOption<never> | undefined,
): readonly string[] | CallFunction<readonly string[]> | undefined {
  if (tags === undefined) return undefined
  if (typeof tags === 'function') {
    const tagsFunction = tags as (...args: readonly unknown[]) => unknown
    return (self, args) => checkTags(tagsFunction.apply(self, args as unknown[]))
  }
  if (!Array.isArray(tags)) {
    throw new InvalidOptionError('tags', 'tags must be an array of templates or a function')
  }
  const templates = tags.map((tag) => compileTemplate(tag, 'tags'))
  if (tags.every((tag) => !tag.includes('{') && !tag.includes('}'))) {
    return Object.freeze(templates.map((template) => template([])))
  }
  return (_, args) => checkTags(templates.map((template) => template(args)))
}

function checkTags(tags: unknown): readonly string[] {
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '')) {
    throw new InvalidOptionError('tags', 'tags must resolve to an array of non-empty strings')
  }
  return tags
}

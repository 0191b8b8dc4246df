import { InvalidKeyError, InvalidOptionError } from '../errors.js'
import { type ArgumentPath, describeLocation, parseArgumentPath } from './argument-path.js'

/** A compiled template: builds the string for one call's arguments. */
export type CompiledTemplate = (args: readonly unknown[]) => string

/**
 * Compiles a key or tag template such as `'user:{0}'`, `'user:{id}'` or
 * `'order:{0.id}:{1}'`. `{{` and `}}` stand for literal braces. A placeholder must
 * resolve to a string, a finite number, a bigint or a boolean, inserted as is.
 *
 * Malformed templates throw `InvalidOptionError` naming `option`; a placeholder
 * that resolves to anything else throws `InvalidKeyError` at call time.
 */
export function compileTemplate(template: string, option: string): CompiledTemplate {
  if (typeof template !== 'string' || template.length === 0) {
    throw new InvalidOptionError(option, `${option} must be a non-empty template string`)
  }
  const parts = parseTemplate(template, option)
  if (parts.every((part) => typeof part === 'string')) {
    const constant = parts.join('')
    return () => constant
  }
  return (args) => {
    let text = ''
    for (const part of parts) {
      text += typeof part === 'string' ? part : placeholderText(part, args, template)
    }
    return text
  }
}

function parseTemplate(template: string, option: string): (string | ArgumentPath)[] {
  const parts: (string | ArgumentPath)[] = []
  let literal = ''
  let i = 0
  while (i < template.length) {
    const char = template[i] as string
    const next = template[i + 1]
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      literal += char
      i += 2
    } else if (char === '}') {
      throw new InvalidOptionError(
        option,
        `${option} "${template}" has an unmatched "}" at ${i}; write "}}" for a literal brace`,
      )
    } else if (char === '{') {
      const end = template.indexOf('}', i)
      if (end === -1) {
        throw new InvalidOptionError(
          option,
          `${option} "${template}" has an unclosed "{" at ${i}; write "{{" for a literal brace`,
        )
      }
      const text = template.slice(i + 1, end)
      const path = parseArgumentPath(text)
      if (path === undefined) {
        throw new InvalidOptionError(
          option,
          `${option} "${template}" has an invalid placeholder {${text}}: use an argument ` +
            'index ({0}), a property of the first argument ({id}) or a path ({0.id})',
        )
      }
      if (literal !== '') parts.push(literal)
      literal = ''
      parts.push(path)
      i = end + 1
    } else {
      literal += char
      i++
    }
  }
  if (literal !== '') parts.push(literal)
  return parts
}

function placeholderText(path: ArgumentPath, args: readonly unknown[], template: string): string {
  let value = args[path.argument]
  for (let depth = 0; depth < path.properties.length; depth++) {
    if (value === null || value === undefined) {
      const where = describeLocation(path.argument, path.properties.slice(0, depth))
      throw new InvalidKeyError(
        `key template "${template}": {${path.text}} cannot be read because ${where} is ${value}`,
      )
    }
    value = (value as Record<string, unknown>)[path.properties[depth] as string]
  }
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
      if (Number.isFinite(value)) return String(value)
      break
    case 'bigint':
    case 'boolean':
      return String(value)
  }
  const where = describeLocation(path.argument, path.properties)
  throw new InvalidKeyError(
    `key template "${template}": {${path.text}} (${where}) is ${describeValue(value)}; ` +
      'a placeholder needs a string, a finite number, a bigint or a boolean',
  )
}

/** A short description of a value's kind for error messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (typeof value === 'number') return String(value)
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
      ?.constructor?.name
    return typeof name === 'string' && name !== '' && name !== 'Object'
      ? withArticle(name)
      : 'an object'
  }
  return withArticle(typeof value)
}

function withArticle(noun: string): string {
  return /^[aeiouAEIOU]/.test(noun) ? `an ${noun}` : `a ${noun}`
}

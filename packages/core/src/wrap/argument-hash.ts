import { hash } from 'node:crypto'
import { InvalidKeyError } from '../errors.js'
import { propertySegment } from './argument-path.js'
import type { ExclusionTree } from './exclusions.js'
import { describeValue } from './key-template.js'

/**
 * Canonical encodings up to this many characters are used in keys as they are
 * (readable, and no hashing cost); longer ones are hashed. See docs/wrapping.md.
 */
export const MAX_PLAIN_ARGUMENTS = 64

/** Characters of the base64url SHA-256 digest kept in a key: 22 × 6 = 132 bits. */
export const DIGEST_LENGTH = 22

/**
 * The argument part of a default key: the canonical encoding of `args` when it is at
 * most {@link MAX_PLAIN_ARGUMENTS} characters long, else `#` and a truncated SHA-256
 * of it. The two forms cannot meet: an encoding always starts with `[`.
 */
export function argumentsKey(
  args: readonly unknown[],
  exclusions: ExclusionTree | undefined,
  subject: string,
): string {
  const canonical = canonicalArguments(args, exclusions, subject)
  if (canonical.length <= MAX_PLAIN_ARGUMENTS) return canonical
  return '#' + hash('sha256', canonical, 'base64url').slice(0, DIGEST_LENGTH)
}

/**
 * A deterministic, injective, JSON-like encoding of an argument list: equal inputs give
 * equal text, different inputs different text. Object keys are sorted; Map entries and
 * Set members are sorted by their encoding; trailing `undefined` arguments and
 * `undefined` object properties count as absent. Throws `InvalidKeyError` naming the
 * location (e.g. `args[0].onProgress`) of a function, symbol, cycle or class instance.
 */
export function canonicalArguments(
  args: readonly unknown[],
  exclusions: ExclusionTree | undefined,
  subject: string,
): string {
  let end = args.length
  while (end > 0 && (args[end - 1] === undefined || exclusions?.get(String(end - 1)) === true)) {
    end--
  }
  let text = '['
  let walk: Walk | undefined
  for (let i = 0; i < end; i++) {
    if (i > 0) text += ','
    const excluded = exclusions?.get(String(i))
    if (excluded === true) {
      text += 'undefined'
      continue
    }
    const value = args[i]
    const primitive = encodePrimitive(value)
    if (primitive !== undefined) {
      text += primitive
      continue
    }
    walk ??= new Walk(subject)
    walk.path.push({ text: `args[${i}]` })
    text += walk.encode(value, excluded)
    walk.path.pop()
  }
  return text + ']'
}

function encodePrimitive(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      return value === 0 ? '0' : String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return `${value}n`
    case 'undefined':
      return 'undefined'
    case 'object':
      return value === null ? 'null' : undefined
    default:
      return undefined
  }
}

/**
 * One step of the location being encoded, formatted only when an error needs it: a
 * property name, an array index, or preformatted text such as `.keys()`.
 */
type Step = string | number | { readonly text: string }

/** The state of one encoding: where it is (for errors) and which objects enclose it. */
class Walk {
  readonly path: Step[] = []
  /** The objects enclosing the current value; short, so a linear scan beats a Set. */
  readonly #enclosing: object[] = []
  readonly #subject: string

  constructor(subject: string) {
    this.#subject = subject
  }

  encode(value: unknown, exclusions: ExclusionTree | undefined): string {
    const primitive = encodePrimitive(value)
    if (primitive !== undefined) return primitive
    if (typeof value !== 'object' || value === null) {
      throw this.#reject(`is ${describeValue(value)}`)
    }
    if (this.#enclosing.includes(value)) {
      throw this.#reject('refers back to an enclosing object (a cycle)')
    }
    this.#enclosing.push(value)
    const text = this.#encodeObject(value, exclusions)
    this.#enclosing.pop()
    return text
  }

  #encodeObject(value: object, exclusions: ExclusionTree | undefined): string {
    if (Array.isArray(value)) return this.#encodeArray(value, exclusions)
    const prototype: unknown = Object.getPrototypeOf(value)
    if (prototype === null || Object.getPrototypeOf(prototype) === null) {
      return this.#encodeRecord(value as Record<string, unknown>, exclusions)
    }
    if (value instanceof Date) return `Date(${value.getTime()})`
    if (value instanceof Map) return this.#encodeMap(value)
    if (value instanceof Set) return this.#encodeSet(value)
    if (ArrayBuffer.isView(value)) return encodeView(value)
    if (value instanceof ArrayBuffer) return `ArrayBuffer(${Buffer.from(value).toString('hex')})`
    if (value instanceof RegExp) return String(value)
    if (value instanceof URL) return `URL(${JSON.stringify(value.href)})`
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name
      this.path.push({ text: '.toJSON()' })
      const json = this.encode(toJSON.call(value, ''), undefined)
      this.path.pop()
      return `new ${typeof name === 'string' ? name : ''}(${json})`
    }
    throw this.#reject(
      `is ${describeValue(value)}, a class instance without toJSON(); give it a toJSON() ` +
        'method, pass a key option, or exclude it',
    )
  }

  #encodeArray(value: readonly unknown[], exclusions: ExclusionTree | undefined): string {
    let text = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ','
      const excluded = exclusions?.get(String(i))
      if (excluded === true) {
        text += 'undefined'
        continue
      }
      this.path.push(i)
      text += this.encode(value[i], excluded)
      this.path.pop()
    }
    return text + ']'
  }

  #encodeRecord(value: Record<string, unknown>, exclusions: ExclusionTree | undefined): string {
    let text = '{'
    for (const name of sortedKeys(value)) {
      const excluded = exclusions?.get(name)
      const property = value[name]
      if (excluded === true || property === undefined) continue
      if (text.length > 1) text += ','
      this.path.push(name)
      text += `${quote(name)}:${this.encode(property, excluded)}`
      this.path.pop()
    }
    return text + '}'
  }

  #encodeMap(value: ReadonlyMap<unknown, unknown>): string {
    const entries: string[] = []
    for (const [key, item] of value) {
      this.path.push({ text: '.keys()' })
      const encodedKey = this.encode(key, undefined)
      this.path.pop()
      this.path.push({ text: `.get(${encodedKey})` })
      entries.push(`${encodedKey}=>${this.encode(item, undefined)}`)
      this.path.pop()
    }
    return `Map{${entries.sort().join(',')}}`
  }

  #encodeSet(value: ReadonlySet<unknown>): string {
    const members: string[] = []
    this.path.push({ text: '.values()' })
    for (const member of value) members.push(this.encode(member, undefined))
    this.path.pop()
    return `Set{${members.sort().join(',')}}`
  }

  #reject(problem: string): InvalidKeyError {
    const where = this.path
      .map((step) =>
        typeof step === 'number'
          ? `[${step}]`
          : typeof step === 'string'
            ? propertySegment(step)
            : step.text,
      )
      .join('')
    return new InvalidKeyError(
      `cannot build a default cache key for ${this.#subject}: ${where} ${problem}`,
    )
  }
}

/** Own enumerable string keys in code-unit order; most objects come sorted already. */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value)
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort()
  }
  return keys
}

/** `JSON.stringify` for strings, skipping its cost for the common plain ones. */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text)
    }
  }
  return `"${text}"`
}

const BYTE_VIEWS = new Set(['Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'DataView'])

/** Byte views as hex; other typed arrays element by element (independent of endianness). */
function encodeView(view: ArrayBufferView): string {
  const kind = Object.prototype.toString.call(view).slice(8, -1)
  if (BYTE_VIEWS.has(kind)) {
    return `${kind}(${Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex')})`
  }
  const elements = Array.from(view as unknown as ArrayLike<number | bigint>, (element) =>
    encodePrimitive(element),
  )
  return `${kind}(${elements.join(',')})`
}

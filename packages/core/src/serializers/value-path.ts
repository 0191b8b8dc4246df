const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
const INDEX = /^(0|[1-9]\d*)$/

/** A property name, an array index, or a label such as `<key 2>` for Map and Set members. */
export type PathStep = string | number | { readonly label: string }

/**
 * Where a value sits inside the value being serialized, rendered only when an error
 * names it (`$.user.name`, `$.list[2]`, `$["odd key"]`, `$.map.<value 0>`): building the
 * string for every property would cost more than the check itself.
 *
 * @example
 * ```ts
 * String(ValuePath.root.child('user').child('tags').child(2)) // '$.user.tags[2]'
 * ```
 */
export class ValuePath {
  static readonly root = new ValuePath(undefined, { label: '$' })

  private constructor(
    readonly parent: ValuePath | undefined,
    readonly step: PathStep,
  ) {}

  child(step: PathStep): ValuePath {
    return new ValuePath(this, step)
  }

  toString(): string {
    const prefix = this.parent === undefined ? '' : this.parent.toString()
    const { step } = this
    if (typeof step === 'number') return `${prefix}[${step}]`
    if (typeof step === 'object') return prefix === '' ? step.label : `${prefix}.${step.label}`
    if (IDENTIFIER.test(step)) return `${prefix}.${step}`
    if (INDEX.test(step)) return `${prefix}[${step}]`
    return `${prefix}[${JSON.stringify(step)}]`
  }
}

/** Whether a serializer must look inside `value` (or refuse it): anything but a plain primitive. */
export function needsVisit(value: unknown): boolean {
  return (
    (typeof value === 'object' && value !== null) ||
    typeof value === 'function' ||
    typeof value === 'symbol'
  )
}

/** The name of `value`'s class as its prototype tells it (never runs the value's own getters). */
export function typeName(value: object): string {
  const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null
  const name = prototype?.constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'object'
}

/** A short description of `value`'s kind for error messages: `an instance of User`. */
export function describeKind(value: object): string {
  const name = typeName(value)
  return name === 'object' ? 'an exotic object' : `an instance of ${name}`
}

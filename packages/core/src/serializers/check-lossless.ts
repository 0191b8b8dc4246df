/**
 * Walks a value and throws a `TypeError` describing the first thing the structured
 * (v8) serializer would drop or alter silently: class instances (their prototype is
 * lost), functions and symbols (refused by v8, but with a vaguer message), accessors.
 * Cycles and shared references are fine: v8 preserves them.
 */
export function assertLosslessStructured(value: unknown): void {
  visit(value, '$', new Set())
}

const PRESERVED_PROTOTYPES = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Date.prototype,
  RegExp.prototype,
  Map.prototype,
  Set.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Error.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  null,
])
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype)

function visit(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new TypeError(`${path} is a ${typeof value}, which cannot be cached remotely`)
    case 'object':
      break
    default:
      return
  }
  if (value === null || seen.has(value)) return
  seen.add(value)
  const prototype = Object.getPrototypeOf(value)
  if (ArrayBuffer.isView(value)) {
    // Typed arrays and Buffers round-trip; their elements are numbers.
    if (
      Object.getPrototypeOf(prototype) === TypedArrayPrototype ||
      prototype === DataView.prototype
    )
      return
    // Buffer (a Uint8Array subclass) also round-trips through node:v8.
    if (prototype === Buffer.prototype) return
  }
  if (!PRESERVED_PROTOTYPES.has(prototype) && !isErrorPrototype(prototype)) {
    const name = prototype?.constructor?.name ?? 'unknown'
    throw new TypeError(
      `${path} is an instance of ${name}; its class would be lost (store plain data or use a custom serializer)`,
    )
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      visit(k, `${path}.<key>`, seen)
      visit(v, `${path}.get(${String(k)})`, seen)
    }
    return
  }
  if (value instanceof Set) {
    for (const v of value) visit(v, `${path}.<member>`, seen)
    return
  }
  for (const name of Object.keys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, name)
    if (descriptor?.get !== undefined) {
      throw new TypeError(
        `${path}.${name} is a getter, which would be replaced by its current value`,
      )
    }
    visit(descriptor?.value, `${path}.${name}`, seen)
  }
}

function isErrorPrototype(prototype: unknown): boolean {
  return prototype instanceof Error && prototype.constructor.name.endsWith('Error')
}

import { FIXUP } from './structured-plan.js'

/**
 * Applies the fixups of a decoded structured payload (see `planStructured`): prototypes
 * and properties first, then integrity levels (a frozen object cannot be changed).
 * Throws on anything malformed; never runs code of the payload (it has none).
 */
export function applyFixups(fixups: readonly unknown[]): void {
  if (fixups.length % 3 !== 0) throw new TypeError('malformed fixup list')
  for (let i = 0; i < fixups.length; i += 3) {
    const kind = fixups[i]
    const target = objectAt(fixups, i + 1)
    if (kind === FIXUP.nullPrototype) {
      Object.setPrototypeOf(target, null)
    } else if (kind === FIXUP.properties) {
      defineProperties(target, fixups[i + 2])
    } else if (kind !== FIXUP.preventExtensions && kind !== FIXUP.seal && kind !== FIXUP.freeze) {
      throw new TypeError(`unknown fixup ${String(kind)}`)
    }
  }
  for (let i = 0; i < fixups.length; i += 3) {
    const kind = fixups[i]
    const target = fixups[i + 1] as object
    if (kind === FIXUP.preventExtensions) Object.preventExtensions(target)
    else if (kind === FIXUP.seal) Object.seal(target)
    else if (kind === FIXUP.freeze) Object.freeze(target)
  }
}

function objectAt(fixups: readonly unknown[], index: number): object {
  const target = fixups[index]
  if (typeof target !== 'object' || target === null) throw new TypeError('fixup of a non-object')
  return target
}

function defineProperties(target: object, pairs: unknown): void {
  if (!Array.isArray(pairs) || pairs.length % 2 !== 0)
    throw new TypeError('malformed property fixup')
  for (let i = 0; i < pairs.length; i += 2) {
    const key = pairs[i]
    if (typeof key !== 'string') throw new TypeError('malformed property fixup')
    Object.defineProperty(target, key, {
      value: pairs[i + 1],
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
}

/**
 * The first difference between `expected` and `actual`, or `undefined` when they are
 * the same value in every way a program can observe through data: `Object.is` on
 * primitives (so `-0` and `NaN` count), same prototypes, same own keys in the same
 * order with the same descriptors (enumerable, writable, configurable, data or
 * accessor), same integrity level (extensible, sealed, frozen), same internal state of
 * built-ins (Date time, RegExp source/flags/lastIndex, Map/Set order, typed array
 * elements, ArrayBuffer bytes) and the same reference structure: objects shared or
 * cyclic in one are shared or cyclic in the other, distinct ones stay distinct.
 *
 * Not compared: the ArrayBuffer behind a typed array or DataView (a serializer copies a
 * view's contents, not its buffer) and an error's `stack` accessor functions (its string
 * is compared).
 */
export function firstDifference(expected: unknown, actual: unknown): string | undefined {
  return new Comparison().compare(expected, actual, '$')
}

class Comparison {
  readonly #forward = new Map<object, object>()
  readonly #backward = new Map<object, object>()

  compare(a: unknown, b: unknown, path: string): string | undefined {
    if (typeof a !== typeof b) return `${path}: ${typeof a} became ${typeof b}`
    if (typeof a !== 'object' || a === null || b === null) {
      return Object.is(a, b) ? undefined : `${path}: ${show(a)} became ${show(b)}`
    }
    const x = a as object
    const y = b as object
    const known = this.#forward.get(x)
    if (known !== undefined)
      return known === y ? undefined : `${path}: a shared reference was split`
    if (this.#backward.has(y)) return `${path}: distinct objects were merged`
    this.#forward.set(x, y)
    this.#backward.set(y, x)
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototype changed`
    for (const check of [Object.isExtensible, Object.isSealed, Object.isFrozen]) {
      if (check(x) !== check(y)) return `${path}: ${check.name} changed`
    }
    return this.#internal(x, y, path) ?? this.#properties(x, y, path)
  }

  #internal(x: object, y: object, path: string): string | undefined {
    if (x instanceof Date) {
      return Object.is(x.getTime(), (y as Date).getTime()) ? undefined : `${path}: time changed`
    }
    if (x instanceof RegExp) {
      const r = y as RegExp
      return x.source === r.source && x.flags === r.flags ? undefined : `${path}: RegExp changed`
    }
    if (x instanceof Map) return this.#entries([...x], [...(y as Map<unknown, unknown>)], path)
    if (x instanceof Set) {
      return this.#entries(
        [...x].map((m) => [m, 0]),
        [...(y as Set<unknown>)].map((m) => [m, 0]),
        path,
      )
    }
    if (x instanceof ArrayBuffer) {
      const z = y as ArrayBuffer
      const limit = (buffer: ArrayBuffer) => {
        const growable = buffer as { resizable?: boolean; maxByteLength?: number }
        return `${growable.resizable}/${growable.maxByteLength}`
      }
      if (limit(x) !== limit(z)) {
        return `${path}: ArrayBuffer resizability changed`
      }
      return sameBytes(new Uint8Array(x), new Uint8Array(z)) ? undefined : `${path}: bytes changed`
    }
    if (x instanceof DataView) {
      const view = (v: DataView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
      return sameBytes(view(x), view(y as DataView)) ? undefined : `${path}: bytes changed`
    }
    if (x instanceof Error && x.stack !== (y as Error).stack) return `${path}: stack changed`
    for (const type of [Number, String, Boolean, BigInt] as const) {
      if (x instanceof type) {
        const unbox = (v: object) => (type.prototype.valueOf as () => unknown).call(v)
        return Object.is(unbox(x), unbox(y)) ? undefined : `${path}: boxed value changed`
      }
    }
    return undefined
  }

  #entries(xs: unknown[][], ys: unknown[][], path: string): string | undefined {
    if (xs.length !== ys.length) return `${path}: size ${xs.length} became ${ys.length}`
    for (let i = 0; i < xs.length; i++) {
      const [xk, xv] = xs[i] as unknown[]
      const [yk, yv] = ys[i] as unknown[]
      const difference =
        this.compare(xk, yk, `${path}.<key ${i}>`) ?? this.compare(xv, yv, `${path}.<value ${i}>`)
      if (difference !== undefined) return difference
    }
    return undefined
  }

  #properties(x: object, y: object, path: string): string | undefined {
    const xKeys = Reflect.ownKeys(x)
    const yKeys = Reflect.ownKeys(y)
    if (xKeys.length !== yKeys.length || xKeys.some((key, i) => key !== yKeys[i])) {
      return `${path}: own keys ${show(xKeys.map(String))} became ${show(yKeys.map(String))}`
    }
    for (const key of xKeys) {
      const at = `${path}[${show(String(key))}]`
      const dx = Object.getOwnPropertyDescriptor(x, key) as PropertyDescriptor
      const dy = Object.getOwnPropertyDescriptor(y, key) as PropertyDescriptor
      if (dx.enumerable !== dy.enumerable || dx.configurable !== dy.configurable) {
        return `${at}: enumerable/configurable changed`
      }
      if ('value' in dx !== 'value' in dy) return `${at}: data/accessor changed`
      if (!('value' in dx)) {
        if (key === 'stack' && x instanceof Error) continue
        return `${at}: unexpected accessor`
      }
      if (dx.writable !== dy.writable) return `${at}: writable changed`
      const difference = this.compare(dx.value, dy.value, at)
      if (difference !== undefined) return difference
    }
    return undefined
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i])
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (Object.is(value, -0)) return '-0'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

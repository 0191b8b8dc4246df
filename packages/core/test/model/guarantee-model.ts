import type { Key, Namespace, Ref, Tag } from './guarantee-commands.js'

/**
 * What a read may return, per (namespace, key), under issue 9's guarantees. Every
 * written value is a fresh number, so a value names the write that produced it.
 *
 * - A resolved `set` (or `setMany` item) leaves exactly its value allowed (guarantee 2:
 *   nothing older). A rejected one may or may not have happened: its value joins.
 * - A resolved `delete`, `deleteMany`, `clear`, namespace `clear`, `invalidateTags` or
 *   `expireTags` removes what it covers (guarantee 1). A rejected one removes nothing.
 * - A load (`getOrSet` calling its loader) or a successful `add` adds its value.
 * - Values are only ever allowed for the exact (namespace, key) they were written
 *   under (guarantees 3 and 4); tags belong to the namespace that wrote the entry.
 * - With faults, any read may miss. Without them (and when reads cannot outrun a
 *   write-behind queue), the model is exact: a miss only when nothing is allowed.
 *
 * Expiry plays no part: the ttl is far beyond a run and there is no stale window, so
 * `expireTags` ends an entry's reads like `invalidateTags` does.
 */
export class GuaranteeModel {
  /** Ref id → allowed value → the tags it was written with. */
  readonly #allowed = new Map<string, Map<number, readonly Tag[]>>()
  /** Refs whose values the engine may legitimately drop even without faults (see `tagsChanged`). */
  readonly #mayMiss = new Set<string>()

  constructor(readonly exact: boolean) {}

  allowed(ref: Ref): ReadonlyMap<number, readonly Tag[]> {
    return this.#allowed.get(id(ref)) ?? new Map()
  }

  /** Whether the engine may drop `ref`'s value even without faults. */
  mayMiss(ref: Ref): boolean {
    return !this.exact || this.#mayMiss.has(id(ref))
  }

  /** Why `actual` may not be read for `ref`, or `undefined` when it may. */
  violation(ref: Ref, actual: unknown): string | undefined {
    const allowed = this.allowed(ref)
    if (actual === undefined) {
      return allowed.size > 0 && !this.mayMiss(ref)
        ? `missed ${describeRef(ref)} holding ${[...allowed.keys()]} with no fault injected`
        : undefined
    }
    if (typeof actual === 'number' && allowed.has(actual)) return undefined
    return `read ${JSON.stringify(actual)} for ${describeRef(ref)}; allowed: [${[...allowed.keys()]}]`
  }

  /** From now on, a miss of `ref` is allowed: the engine may drop a value conservatively. */
  loosen(ref: Ref): void {
    if (this.#allowed.has(id(ref))) this.#mayMiss.add(id(ref))
  }

  /** A resolved write: only `value` is allowed from now on. */
  written(ref: Ref, value: number, tags: readonly Tag[]): void {
    this.#mayMiss.delete(id(ref))
    this.#allowed.set(id(ref), new Map([[value, tags]]))
  }

  /** A write that may or may not have happened (rejected, or a load, or an add). */
  maybeWritten(ref: Ref, value: number, tags: readonly Tag[]): void {
    if (this.exact) this.#mayMiss.delete(id(ref)) // without faults, it was written
    const allowed = this.#allowed.get(id(ref)) ?? new Map<number, readonly Tag[]>()
    allowed.set(value, tags)
    this.#allowed.set(id(ref), allowed)
  }

  removed(ns: Namespace, keys: readonly Key[]): void {
    for (const key of keys) this.#forget(id({ ns, key }))
  }

  /** A namespace's `clear()`; the root cache's (`''`) clears every namespace. */
  cleared(ns: Namespace): void {
    for (const ref of [...this.#allowed.keys()].map(parse)) {
      if (ns === '' || ref.ns === ns) this.#forget(id(ref))
    }
  }

  #forget(refId: string): void {
    this.#allowed.delete(refId)
    this.#mayMiss.delete(refId)
  }

  /**
   * `invalidateTags`/`expireTags` on namespace `ns` ends its own tagged entries. Whether
   * the root cache's tags also reach into namespaces is left open: their tagged values
   * stay allowed, and a miss of them is allowed too.
   */
  tagsChanged(ns: Namespace, tags: readonly Tag[]): void {
    for (const [refId, allowed] of this.#allowed) {
      const own = parse(refId).ns === ns
      if (!own && ns !== '') continue
      for (const [value, valueTags] of allowed) {
        if (!valueTags.some((tag) => tags.includes(tag))) continue
        if (own) allowed.delete(value)
        else this.#mayMiss.add(refId)
      }
    }
  }
}

function id(ref: Ref): string {
  return JSON.stringify([ref.ns, ref.key])
}

function parse(refId: string): Ref {
  const [ns, key] = JSON.parse(refId) as [Namespace, Key]
  return { ns, key }
}

export function describeRef(ref: Ref): string {
  return ref.ns === ''
    ? `root key ${JSON.stringify(ref.key)}`
    : `${JSON.stringify(ref.key)} in namespace ${JSON.stringify(ref.ns)}`
}

import {
  isExpired,
  type ListedObject,
  type ObjectHead,
  ObjectStore,
  type ObjectStoreOptions,
  objectHead,
  type PackedObjectBody,
  resolveObjectStoreOptions,
  type StoredObject,
  type WriteCondition,
} from '../../src/store-kit/index.js'

export interface Stored {
  readonly body: Uint8Array
  readonly metadata: Record<string, string>
  readonly version: number
}

/** A bucket in memory: the object operations an ObjectStore backend provides. */
export class MapBucket extends ObjectStore<number> {
  readonly name = 'map'
  readonly objects = new Map<string, Stored>()
  readonly calls: string[] = []
  closes = 0
  /** When set, every object operation waits forever (a backend that stopped answering). */
  hang = false
  #versions = 0

  constructor(options: Partial<ObjectStoreOptions> = {}) {
    super(resolveObjectStoreOptions({ bucket: 'b', ...options }, { factory: 'mapBucket' }))
  }

  /** `false` makes metadata updates ignore their version condition, as the emulators do. */
  honourConditions = true
  /** Runs inside the next metadata update, before its condition is checked. */
  beforeUpdate: (() => void) | undefined

  protected override async updateMetadata(
    name: string,
    metadata: Record<string, string>,
    _expiresAt: number,
    previous: ObjectHead<number>,
  ): Promise<boolean> {
    await this.#op('update')
    this.beforeUpdate?.()
    this.beforeUpdate = undefined
    const current = this.objects.get(name)
    if (current === undefined) return false
    if (this.honourConditions && current.version !== previous.version) return false
    this.objects.set(name, { ...current, metadata })
    return true
  }

  put(name: string, body: Uint8Array, metadata: Record<string, string> = {}) {
    this.objects.set(name, { body, metadata, version: ++this.#versions })
  }

  async #op(call: string): Promise<void> {
    this.calls.push(call)
    if (this.hang) await new Promise(() => {})
  }

  #head(stored: Stored): ObjectHead<number> {
    return objectHead(stored.metadata, stored.version)
  }

  protected async getObject(name: string): Promise<StoredObject<number> | undefined> {
    await this.#op('get')
    const stored = this.objects.get(name)
    if (stored === undefined) return undefined
    const head = this.#head(stored)
    return { head, body: isExpired(head.expiresAt) ? undefined : stored.body }
  }

  protected async headObject(name: string): Promise<ObjectHead<number> | undefined> {
    await this.#op('head')
    const stored = this.objects.get(name)
    return stored && this.#head(stored)
  }

  protected async putObject(
    name: string,
    packed: PackedObjectBody,
    _expiresAt: number,
    condition: WriteCondition<number> | undefined,
  ): Promise<boolean> {
    await this.#op('put')
    const current = this.objects.get(name)
    if (condition && 'ifAbsent' in condition && current !== undefined) return false
    if (condition && 'ifVersion' in condition && current?.version !== condition.ifVersion) {
      return false
    }
    this.put(name, packed.body, packed.metadata)
    return true
  }

  protected async deleteObject(name: string, version: number | undefined): Promise<boolean> {
    await this.#op('delete')
    const current = this.objects.get(name)
    if (current === undefined) return false
    if (version !== undefined && current.version !== version) return false
    return this.objects.delete(name)
  }

  protected async readFirstBytes(name: string, length: number) {
    await this.#op('range')
    return this.objects.get(name)?.body.subarray(0, length)
  }

  protected async *listObjects(listPrefix: string): AsyncIterable<ListedObject<number>[]> {
    const names = [...this.objects.keys()].filter((name) => name.startsWith(listPrefix)).sort()
    for (let start = 0; start < names.length || start === 0; start += 2) {
      await this.deadline(undefined, () => this.#op('list'))
      yield names.slice(start, start + 2).map((name) => ({ name }))
    }
  }

  protected async deleteObjects(names: readonly string[]): Promise<void> {
    await this.deadline(undefined, () => this.#op('deleteMany'))
    for (const name of names) this.objects.delete(name)
  }

  protected async closeClient(): Promise<void> {
    this.closes++
  }
}

/** An entry file found on disk by a directory walk. */
export interface FoundEntry {
  readonly name: string
  readonly size: number
  readonly mtimeMs: number
}

/**
 * This process's view of the entry files and their sizes, oldest write first, for the
 * `maxBytes` / `maxEntries` bounds. It is updated by every write and removal made here
 * and rebuilt from disk at start and by each purge; files other processes write in
 * between are invisible to it until then.
 */
export class SizeLedger {
  #sizes = new Map<string, number>()
  #bytes = 0
  /** Changes made while a rescan is walking the disk: name to size, `undefined` if removed. */
  #changesDuringRescan: Map<string, number | undefined> | undefined

  get bytes(): number {
    return this.#bytes
  }

  get count(): number {
    return this.#sizes.size
  }

  /** Notes a write of `size` bytes to `name`; it becomes the newest entry. */
  record(name: string, size: number): void {
    this.#remove(name)
    this.#sizes.set(name, size)
    this.#bytes += size
    this.#changesDuringRescan?.set(name, size)
  }

  /** Notes that `name` was removed. */
  forget(name: string): void {
    this.#remove(name)
    this.#changesDuringRescan?.set(name, undefined)
  }

  /**
   * Forgets and returns the oldest entries until the ledger is within the bounds; the
   * caller removes their files. The newest entry always stays, even when its file alone
   * is over `maxBytes` (a value of `maxBytes` bytes plus its header and key).
   */
  takeOverflow(maxBytes: number, maxEntries: number): string[] {
    const evicted: string[] = []
    for (const name of this.#sizes.keys()) {
      if (this.#sizes.size <= 1) break
      if (this.#bytes <= maxBytes && this.#sizes.size <= maxEntries) break
      this.forget(name)
      evicted.push(name)
    }
    return evicted
  }

  /** Starts a rescan: changes from now on override what the walk finds. */
  beginRescan(): void {
    this.#changesDuringRescan = new Map()
  }

  /** Abandons a rescan; the ledger keeps what this process recorded. */
  cancelRescan(): void {
    this.#changesDuringRescan = undefined
  }

  /** Replaces the ledger with the walk's findings, oldest first, plus the changes made meanwhile. */
  finishRescan(found: readonly FoundEntry[]): void {
    const changes = this.#changesDuringRescan ?? new Map<string, number | undefined>()
    this.#changesDuringRescan = undefined
    this.#sizes.clear()
    this.#bytes = 0
    const byAge = [...found].sort((a, b) => a.mtimeMs - b.mtimeMs)
    for (const entry of byAge) {
      if (!changes.has(entry.name)) this.record(entry.name, entry.size)
    }
    for (const [name, size] of changes) {
      if (size !== undefined) this.record(name, size)
    }
  }

  #remove(name: string): void {
    const size = this.#sizes.get(name)
    if (size === undefined) return
    this.#sizes.delete(name)
    this.#bytes -= size
  }
}

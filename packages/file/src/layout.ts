import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'

/**
 * Where entries live: `<root>/<first 2 hex chars of the name>/<name>`, where the name
 * is the SHA-256 of the encoded key in hex. Hashing means no key can traverse a path,
 * contain a character the file system rejects, or be too long for a file name. One
 * level of 256 shards keeps directories small without creating tens of thousands of
 * them (each costs a directory block).
 *
 * Helper files sit beside their entry and share its name as a prefix:
 * `<name>.<tag>.tmp` (a write in progress), `<name>.<tag>.dead` (an entry being removed)
 * and `<name>.lock` (the per-key lock of `add` and of expired-entry removal).
 */

/** The files of one key. */
export interface EntryPaths {
  /** The 64-hex-char file name of the entry. */
  readonly name: string
  /** The shard directory holding it. */
  readonly dir: string
  /** The entry file. */
  readonly file: string
  /** The per-key lock file. */
  readonly lock: string
}

const SHARD = /^[0-9a-f]{2}$/
const ENTRY = /^[0-9a-f]{64}$/
const HELPER = /^[0-9a-f]{64}\.(?:[0-9a-z-]+\.(?:tmp|dead)|lock)$/

/** Random per process, so helper names never clash across processes or hosts sharing a disk. */
const processTag = `${process.pid}-${randomBytes(4).toString('hex')}`
let sequence = 0

/** The paths of the entry named by `keyBytes` under `root`. */
export function entryPaths(root: string, keyBytes: Buffer): EntryPaths {
  const name = createHash('sha256').update(keyBytes).digest('hex')
  return entryPathsByName(root, name)
}

/** The paths of the entry file called `name` under `root`. */
export function entryPathsByName(root: string, name: string): EntryPaths {
  const dir = join(root, name.slice(0, 2))
  const file = join(dir, name)
  return { name, dir, file, lock: `${file}.lock` }
}

/** A fresh helper path beside `file`, unique across processes: `<file>.<tag>.<suffix>`. */
export function helperPath(file: string, suffix: 'tmp' | 'dead'): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER
  return `${file}.${processTag}-${sequence.toString(36)}.${suffix}`
}

export const isShardName = (name: string): boolean => SHARD.test(name)
export const isEntryName = (name: string): boolean => ENTRY.test(name)
export const isHelperName = (name: string): boolean => HELPER.test(name)

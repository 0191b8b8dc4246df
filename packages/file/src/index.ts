/**
 * `@stack/file`: a remote store keeping one file per key in a local directory,
 * with the Node standard library only. Zero infrastructure persistence, safe for
 * several processes sharing one directory.
 *
 * @packageDocumentation
 */
import { FileStore } from './file-store.js'
import type { FileStoreOptions } from './options.js'

export { FileStore } from './file-store.js'
export type { FileStoreOptions } from './options.js'

/**
 * Creates a store that keeps each entry in its own file under `options.directory`.
 *
 * Writes go to a temporary file that is renamed over the entry, so readers (in this
 * process or another) see the old value or the new one, never a torn mix. File names are
 * SHA-256 hashes of the keys, so any key is safe. Expired, corrupt and truncated files
 * read as misses and are removed.
 *
 * @example
 * ```ts
 * import { createCache, memory } from '@stack/core'
 * import { fileStore } from '@stack/file'
 *
 * const cache = createCache({
 *   tiers: [memory(), fileStore({ directory: '.cache/app', maxBytes: 500_000_000 })],
 *   ttl: '5m',
 * })
 * ```
 */
export function fileStore(options: FileStoreOptions): FileStore {
  return new FileStore(options)
}

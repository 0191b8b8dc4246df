import { join } from 'node:path'
import { scanHeader, unlinkIfExists } from './fs-ops.js'
import { removeStaleHelper } from './helpers.js'
import { isEntryName, isHelperName } from './layout.js'
import { dropUnusedPayloads, payloadsByEntry } from './linked.js'
import type { FoundEntry } from './size-ledger.js'
import { forEachLimited, walkShards } from './walk.js'

/** Files opened at once by a directory walk. */
export const WALK_CONCURRENCY = 16

/**
 * Removes the entries under `root` whose key starts with `prefix`, and the payload files
 * of those that were linked; `forget` is told each removed entry's name.
 */
export async function clearEntries(
  root: string,
  prefix: string,
  forget: (name: string) => void,
): Promise<void> {
  for await (const shard of walkShards(root)) {
    const cleared = new Set<string>()
    await forEachLimited(shard.names.filter(isEntryName), WALK_CONCURRENCY, async (name) => {
      const scan = await scanHeader(join(shard.dir, name))
      if (scan?.state !== 'valid' || !scan.key.startsWith(prefix)) return
      await unlinkIfExists(join(shard.dir, name))
      forget(name)
      cleared.add(name)
    })
    const payloads = [...payloadsByEntry(shard.names)].filter(([entry]) => cleared.has(entry))
    await forEachLimited(payloads, WALK_CONCURRENCY, async ([entry, names]) => {
      await dropUnusedPayloads(root, entry, names)
    })
  }
}

/** The live keys under `root` starting with `prefix`, a shard at a time. */
export async function* liveKeys(root: string, prefix: string): AsyncIterable<string> {
  for await (const shard of walkShards(root)) {
    const live: string[] = []
    const now = Date.now()
    await forEachLimited(shard.names.filter(isEntryName), WALK_CONCURRENCY, async (name) => {
      const scan = await scanHeader(join(shard.dir, name))
      if (scan?.state === 'valid' && scan.expiresAt > now && scan.key.startsWith(prefix)) {
        live.push(scan.key)
      }
    })
    yield* live
  }
}

/** What {@link purgeWalk} needs from the store. */
export interface PurgeHooks {
  /** `true` once the store closed: the walk stops at the next shard. */
  readonly isClosed: () => boolean
  /** Removes the dead (expired or corrupt) entry called `name`; `true` when it did. */
  readonly removeDead: (name: string) => Promise<boolean>
}

/**
 * One purge walk of `root`: removes dead entries, stale helper files and payload files
 * no record names; returns the live entries found (for the size ledger) and how many
 * entries it removed.
 */
export async function purgeWalk(
  root: string,
  now: number,
  hooks: PurgeHooks,
): Promise<{ readonly found: FoundEntry[]; readonly removed: number }> {
  const found: FoundEntry[] = []
  let removed = 0
  for await (const shard of walkShards(root)) {
    if (hooks.isClosed()) break
    await forEachLimited(shard.names, WALK_CONCURRENCY, async (name) => {
      const file = join(shard.dir, name)
      if (isHelperName(name)) {
        await removeStaleHelper(file, now)
      } else if (isEntryName(name)) {
        const scan = await scanHeader(file)
        if (scan === undefined) return
        if (scan.state === 'valid' && scan.expiresAt > now) {
          found.push({ name, size: scan.size, mtimeMs: scan.mtimeMs })
        } else if (await hooks.removeDead(name)) {
          removed++
        }
      }
    })
    // After the entries: a dead entry removed above frees its payload files too.
    await forEachLimited(
      [...payloadsByEntry(shard.names)],
      WALK_CONCURRENCY,
      async ([entry, names]) => {
        await dropUnusedPayloads(root, entry, names)
      },
    )
  }
  return { found, removed }
}

import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { hasCode } from './fs-ops.js'
import { isShardName } from './layout.js'

/** The file names of one shard directory. */
export interface ShardListing {
  readonly dir: string
  readonly names: readonly string[]
}

/**
 * Lists the shard directories under `root` one at a time. Costs one `readdir` per shard;
 * callers then open the files they care about, which is what makes a walk proportional
 * to the number of files.
 */
export async function* walkShards(root: string): AsyncGenerator<ShardListing> {
  for (const shard of (await listDirectory(root)).filter(isShardName)) {
    const dir = join(root, shard)
    const names = await listDirectory(dir)
    if (names.length > 0) yield { dir, names }
  }
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    if (hasCode(error, 'ENOENT') || hasCode(error, 'ENOTDIR')) return []
    throw error
  }
}

/** Runs `task` for every item with at most `limit` running at once. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await task(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

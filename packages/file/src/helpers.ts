import { stat } from 'node:fs/promises'
import { unlinkQuietly } from './fs-ops.js'
import { breakIfStale } from './key-lock.js'

/** Age after which a `.tmp` or `.dead` file is a leftover of a crashed process. */
const STALE_HELPER_MS = 10 * 60_000

/** Removes a helper file (temporary, move-aside or lock) left behind by a crashed process. */
export async function removeStaleHelper(file: string, now: number): Promise<void> {
  if (file.endsWith('.lock')) {
    await breakIfStale(file, now)
    return
  }
  const stats = await stat(file).catch(() => undefined)
  if (stats !== undefined && now - stats.mtimeMs > STALE_HELPER_MS) await unlinkQuietly(file)
}

/**
 * Maps `items` through `task` with at most `limit` tasks in flight, keeping the order of
 * `items` in the result. Rejects with the first failure; tasks already started are left
 * to settle, and no new one starts after it.
 *
 * @example
 * ```ts
 * const values = await mapConcurrent(keys, 16, (key) => store.get(key))
 * ```
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const index = next++
      try {
        results[index] = await task(items[index] as T, index)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

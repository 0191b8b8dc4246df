/** Collects a `keys(prefix)` stream, sorted. */
export async function listKeys(keys: AsyncIterable<string>): Promise<string[]> {
  const listed: string[] = []
  for await (const key of keys) listed.push(key)
  return listed.sort()
}

/** Names one test's data gets in the shared servers, derived from its `scope`. */
export function scopedNames(scope: string) {
  if (!/^[a-z0-9_]+$/.test(scope)) throw new Error(`scope must match [a-z0-9_]+, got "${scope}"`)
  return {
    /** The cache's `prefix`. */
    cachePrefix: scope,
    redisKeyPrefix: 'mp:',
    redisChannel: `mp:${scope}`,
    cacheTable: `mp_cache_${scope}`,
    postgresChannel: `mp_${scope}`,
    /** The application's own table the `truth` loader reads: `(key text primary key, value text)`. */
    truthTable: `mp_truth_${scope}`,
  }
}

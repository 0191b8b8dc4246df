/** The HTTP status of a `@google-cloud/storage` `ApiError` (its numeric `code`). */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'number' ? error.code : undefined
}

/** The object (or the requested generation of it) does not exist. */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404
}

/** An `ifGenerationMatch` precondition failed: another write got there first. */
export function isConditionFailed(error: unknown): boolean {
  return statusOf(error) === 412
}

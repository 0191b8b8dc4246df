/** Fields of an AWS SDK v3 service error that the store inspects. */
interface ServiceErrorShape {
  readonly name?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number | undefined } | undefined
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  return (error as ServiceErrorShape).$metadata?.httpStatusCode
}

function nameOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as ServiceErrorShape).name : undefined
}

/**
 * The object does not exist: `NoSuchKey` from GET (or from a PUT with `If-Match`), the bare
 * `NotFound` of a HEAD. A missing bucket (`NoSuchBucket`) is not a miss but a failure.
 */
export function isNotFound(error: unknown): boolean {
  const name = nameOf(error)
  return name === 'NoSuchKey' || name === 'NotFound'
}

/**
 * A conditional write lost: `If-None-Match`/`If-Match` failed (412), or S3 saw a
 * concurrent conditional write to the same key (409 `ConditionalRequestConflict`).
 */
export function isConditionFailed(error: unknown): boolean {
  const status = statusOf(error)
  return status === 412 || status === 409
}

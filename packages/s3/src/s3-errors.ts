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

/** The object does not exist (`NoSuchKey` from GET, a bare 404 from HEAD). */
export function isNotFound(error: unknown): boolean {
  const name = nameOf(error)
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404
}

/**
 * A conditional write lost: `If-None-Match`/`If-Match` failed (412), or S3 saw a
 * concurrent conditional write to the same key (409 `ConditionalRequestConflict`).
 */
export function isConditionFailed(error: unknown): boolean {
  const status = statusOf(error)
  return status === 412 || status === 409
}

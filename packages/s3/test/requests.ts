import type { S3Client } from '@aws-sdk/client-s3'

/** One request a client sent: the command's name and its HTTP headers. */
export interface RecordedRequest {
  readonly command: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Records every request `client` sends to the real server, using the SDK's own middleware
 * stack (the request still goes out unchanged).
 */
export function recordRequests(client: S3Client): RecordedRequest[] {
  const recorded: RecordedRequest[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request: unknown = args.request
      const headers =
        typeof request === 'object' && request !== null && 'headers' in request
          ? (request.headers as Record<string, string>)
          : {}
      recorded.push({ command: context.commandName ?? 'unknown', headers: { ...headers } })
      return next(args)
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  )
  return recorded
}

/** How many recorded requests ran `command`, e.g. `'PutObjectCommand'`. */
export function countOf(recorded: readonly RecordedRequest[], command: string): number {
  return recorded.filter((request) => request.command === command).length
}

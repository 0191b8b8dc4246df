import type { Storage } from '@google-cloud/storage'

/** One request a client sent: its HTTP method, URL and query parameters. */
export interface RecordedRequest {
  readonly method: string
  readonly uri: string
  readonly query: Readonly<Record<string, unknown>>
  /** For a multipart upload, the object resource (metadata) it sent. */
  readonly resource: Readonly<Record<string, unknown>> | undefined
}

type Interceptor = Storage['interceptors'][number]

/** The fields of the library's request options that the recorder reads. */
interface RequestShape {
  readonly method?: string
  readonly uri?: string
  readonly qs?: Record<string, unknown>
  readonly multipart?: readonly { readonly body?: unknown }[]
}

/**
 * Records the requests `storage` sends to the real server, through the client library's
 * own request interceptors (the request still goes out unchanged).
 */
export function recordRequests(storage: Storage): RecordedRequest[] {
  const recorded: RecordedRequest[] = []
  const recorder: Interceptor = {
    request(options) {
      const shape = options as RequestShape
      recorded.push({
        method: shape.method ?? 'GET',
        uri: shape.uri ?? '',
        query: { ...shape.qs },
        resource: uploadedResource(shape),
      })
      return options as ReturnType<Interceptor['request']>
    },
  }
  storage.interceptors.push(recorder)
  return recorded
}

function uploadedResource(shape: RequestShape): Record<string, unknown> | undefined {
  const body = shape.multipart?.[0]?.body
  return typeof body === 'string' ? (JSON.parse(body) as Record<string, unknown>) : undefined
}

/** How many recorded requests were uploads. */
export function uploadCount(recorded: readonly RecordedRequest[]): number {
  return recorded.filter((request) => request.uri.includes('/upload/')).length
}

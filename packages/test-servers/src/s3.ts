import { createRequire } from 'node:module'
import { freePort, removeDir, startProcess, tempDir, waitForPort } from './process.js'

/** A running s3rver (an S3 API server from npm) on a loopback port. */
export interface S3Server {
  /** Base URL for the SDK's `endpoint` option; use it with `forcePathStyle: true`. */
  readonly endpoint: string
  readonly port: number
  /** The static credentials s3rver accepts. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly region: string
  /** Stops the process by pid and removes its data directory. */
  stop(): Promise<void>
}

const require = createRequire(import.meta.url)

/**
 * Starts s3rver in a child process with `buckets` already created.
 *
 * It runs under `--openssl-legacy-provider`: s3rver encrypts ListObjectsV2 continuation
 * tokens with a cipher that OpenSSL 3 only offers through the legacy provider, so
 * paginated listings fail without it.
 *
 * @example
 * ```ts
 * const server = await startS3Server({ buckets: ['cache'] })
 * const client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, ... })
 * await server.stop()
 * ```
 */
export async function startS3Server(options: { buckets: readonly string[] }): Promise<S3Server> {
  const port = await freePort()
  const directory = tempDir('s3rver')
  const bin = require.resolve('s3rver/bin/s3rver.js')
  const bucketArgs = options.buckets.flatMap((bucket) => ['--configure-bucket', bucket])
  const server = startProcess(process.execPath, [
    '--openssl-legacy-provider',
    bin,
    '--directory',
    directory,
    '--address',
    '127.0.0.1',
    '--port',
    String(port),
    '--silent',
    ...bucketArgs,
  ])
  try {
    await waitForPort(port)
  } catch (error) {
    await server.stop()
    removeDir(directory)
    throw new Error(`s3rver did not start: ${server.output()}`, { cause: error })
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    region: 'us-east-1',
    async stop() {
      await server.stop()
      removeDir(directory)
    },
  }
}

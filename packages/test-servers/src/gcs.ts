import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { freePort, removeDir, startProcess, tempDir, waitForPort } from './process.js'

/** A running Cloud Storage emulator (firebase-tools' storage emulator) on a loopback port. */
export interface GcsServer {
  /** Base URL for `@google-cloud/storage`'s `apiEndpoint` option. */
  readonly apiEndpoint: string
  readonly port: number
  /** The project id the emulator runs under. */
  readonly projectId: string
  /** Stops the process by pid and removes its temporary files. */
  stop(): Promise<void>
}

const PROJECT_ID = 'demo-stack'
const SERVE_FLAG = '--serve-gcs-emulator'
const JSON_API_PREFIX = '/storage/v1/'

/**
 * Starts firebase-tools' storage emulator in a child process. It serves the GCS JSON API
 * and creates buckets on first use.
 *
 * The emulator's CLI needs Java and a download for its security-rules engine, so the
 * child builds the HTTP app from the library's modules instead: the GCS JSON API routes
 * go through the admin storage layer, which never consults rules.
 *
 * @example
 * ```ts
 * const server = await startGcsServer()
 * const storage = new Storage({ apiEndpoint: server.apiEndpoint, projectId: server.projectId })
 * await server.stop()
 * ```
 */
export async function startGcsServer(): Promise<GcsServer> {
  const port = await freePort()
  const directory = tempDir('gcs')
  const script = fileURLToPath(import.meta.url)
  // TMPDIR isolates the emulator's blob directory from other runs; cwd catches its logs.
  const server = startProcess(process.execPath, [script, SERVE_FLAG, String(port)], {
    cwd: directory,
    env: { ...process.env, TMPDIR: directory },
  })
  try {
    await waitForPort(port)
  } catch (error) {
    await server.stop()
    removeDir(directory)
    throw new Error(`GCS emulator did not start: ${server.output()}`, { cause: error })
  }
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    port,
    projectId: PROJECT_ID,
    async stop() {
      await server.stop()
      removeDir(directory)
    },
  }
}

/** The emulator's express app: a request handler. */
type ListeningApp = (request: IncomingMessage, response: ServerResponse) => void

interface EmulatorModules {
  StorageEmulator: new (args: Record<string, unknown>) => object
  createApp(projectId: string, emulator: object): Promise<ListeningApp>
  EmulatorRegistry: { set(name: string, emulator: object): void }
}

/** The child's side: serve the emulator on `port` until killed. */
async function serveEmulator(port: number): Promise<void> {
  const require = createRequire(import.meta.url)
  const root = 'firebase-tools/lib/emulator/storage'
  const { StorageEmulator } = require(`${root}/index.js`) as Pick<
    EmulatorModules,
    'StorageEmulator'
  >
  const { createApp } = require(`${root}/server.js`) as Pick<EmulatorModules, 'createApp'>
  const { EmulatorRegistry } = require('firebase-tools/lib/emulator/registry.js') as Pick<
    EmulatorModules,
    'EmulatorRegistry'
  >
  const emulator = new StorageEmulator({
    projectId: PROJECT_ID,
    host: '127.0.0.1',
    port,
    auto_download: false,
  })
  // Registered without `start()` (which would launch the Java rules runtime): metadata
  // needs the registry to know the emulator's host and port.
  EmulatorRegistry.set('storage', emulator)
  const app = await createApp(PROJECT_ID, emulator)
  // The emulator serves metadata PATCH only at `/b/...`, not at the JSON API's
  // `/storage/v1/b/...` the client library calls: route one to the other.
  createServer((request, response) => {
    if (request.method === 'PATCH' && request.url?.startsWith(JSON_API_PREFIX)) {
      request.url = request.url.slice(JSON_API_PREFIX.length - 1)
    }
    app(request, response)
  }).listen(port, '127.0.0.1')
}

if (process.argv[2] === SERVE_FLAG) {
  await serveEmulator(Number(process.argv[3]))
}

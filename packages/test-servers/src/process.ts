import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A port the kernel just handed out on 127.0.0.1, free at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

/** A fresh temporary directory; remove it with {@link removeDir}. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `stack-${label}-`))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** The absolute path of `binary` on PATH (or in `extraDirs`), or `undefined`. */
export function findBinary(binary: string, extraDirs: readonly string[] = []): string | undefined {
  for (const dir of extraDirs) {
    try {
      execFileSync('test', ['-x', join(dir, binary)])
      return join(dir, binary)
    } catch {}
  }
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined
    )
  } catch {
    return undefined
  }
}

/**
 * Whether a backend's suites can run. Outside CI a missing binary skips them with a
 * message naming the apt package; with `CI=true` it throws so the run fails.
 */
export function requireBinary(
  binary: string,
  aptPackage: string,
  extraDirs: readonly string[] = [],
): string | undefined {
  const found = findBinary(binary, extraDirs)
  if (found) return found
  const message = `${binary} not found on PATH: install it with \`apt-get install -y ${aptPackage}\``
  if (process.env.CI === 'true') throw new Error(message)
  console.warn(`[test-servers] skipping: ${message}`)
  return undefined
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline)
      throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A server process started by the harness. */
export interface ServerProcess {
  readonly child: ChildProcess
  /** Output so far, for error messages. */
  output(): string
  /** Stops the process by pid (SIGTERM, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>
}

/**
 * Spawns `command`, capturing its output; it is killed when this process exits.
 * `uid`/`gid` run it as another user (e.g. `postgres`, which refuses to run as root).
 */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): ServerProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8192)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  return {
    child,
    output: () => log,
    async stop(graceMs = 5_000) {
      process.removeListener('exit', killOnExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EPOCH_OFFSET, EPOCH_OFFSET_VARIABLE } from './clock.ts'
import type {
  Operation,
  Operations,
  Response,
  WorkerConfig,
  WorkerEvent,
  WorkerMessage,
} from './protocol.ts'

const WORKER_PATH = fileURLToPath(new URL('./worker.ts', import.meta.url))

/** A recorded event, with the worker that sent it. */
export type RecordedEvent = WorkerEvent & { readonly worker: string }

interface Pending {
  resolve(result: unknown): void
  reject(error: Error): void
}

/**
 * The parent's handle on one worker process: typed requests, the events it sent, and
 * its lifecycle (`close`, or `kill` for a crash).
 *
 * @example
 * ```ts
 * const worker = await WorkerProcess.start({ name: 'w1', scope: 'demo', tiers: ['redis'], redisUrl })
 * await worker.call('set', { key: 'a', value: 1 })
 * await worker.close()
 * ```
 */
export class WorkerProcess {
  readonly name: string
  readonly events: RecordedEvent[] = []
  readonly #child: ChildProcess
  readonly #pending = new Map<number, Pending>()
  readonly #listeners = new Set<(event: RecordedEvent) => void>()
  readonly #exited: Promise<void>
  #nextId = 1
  #output = ''

  private constructor(name: string, child: ChildProcess) {
    this.name = name
    this.#child = child
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    child.on('message', (message: WorkerMessage) => this.#receive(message))
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const error = new Error(
          `worker ${name} exited (${signal ?? code}) with requests pending\n${this.#output}`,
        )
        for (const pending of this.#pending.values()) pending.reject(error)
        this.#pending.clear()
        resolve()
      })
    })
  }

  /** Starts a worker and resolves once its cache is built. */
  static async start(config: WorkerConfig): Promise<WorkerProcess> {
    const child = fork(WORKER_PATH, [JSON.stringify(config)], {
      execArgv: ['--experimental-strip-types', '--no-warnings'],
      env: { ...process.env, [EPOCH_OFFSET_VARIABLE]: String(EPOCH_OFFSET) },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    const worker = new WorkerProcess(config.name, child)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${config.name} not ready`)), 20_000)
      worker.on((event) => {
        if (event.event !== 'ready') return
        clearTimeout(timer)
        resolve()
      })
      worker.#exited.then(() => {
        clearTimeout(timer)
        reject(new Error(`worker ${config.name} exited before ready\n${worker.#output}`))
      })
    })
    return worker
  }

  get pid(): number {
    return this.#child.pid ?? -1
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** The last few kB the process wrote to stdout and stderr. */
  get output(): string {
    return this.#output
  }

  /** Sends one request and resolves its result; rejects with the worker's error. */
  call<K extends Operation>(op: K, args: Operations[K]['args']): Promise<Operations[K]['result']> {
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      if (!this.#child.connected) {
        reject(new Error(`worker ${this.name} is gone`))
        return
      }
      this.#pending.set(id, {
        resolve: resolve as (result: unknown) => void,
        reject,
      })
      this.#child.send({ id, op, args })
    })
  }

  /** Calls `listener` for every event from now on; returns a function that removes it. */
  on(listener: (event: RecordedEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** SIGKILL: the process dies at once, whatever it holds (locks included). */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL')
    await this.#exited
  }

  /** Closes the cache and waits for the process to exit (SIGKILL after 5 s). */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000)
    await this.call('close', {}).catch(() => undefined)
    await this.#exited
    clearTimeout(timer)
  }

  #receive(message: WorkerMessage): void {
    if ('id' in message) {
      const pending = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (pending === undefined) return
      this.#settle(pending, message)
      return
    }
    const event: RecordedEvent = { ...message, worker: this.name }
    this.events.push(event)
    for (const listener of this.#listeners) listener(event)
  }

  #settle(pending: Pending, response: Response): void {
    if (response.ok) pending.resolve(response.result)
    else pending.reject(new Error(`worker ${this.name}: ${response.error}`))
  }
}

/**
 * Starts `count` workers in parallel, named `w1`..`wN`, from one config.
 *
 * @example
 * ```ts
 * const workers = await startWorkers(4, { scope: 'demo', tiers: ['redis'], bus: 'redis', redisUrl })
 * ```
 */
export async function startWorkers(
  count: number,
  config: Omit<WorkerConfig, 'name'>,
): Promise<WorkerProcess[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => WorkerProcess.start({ ...config, name: `w${i + 1}` })),
  )
  const workers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failure = started.find((result) => result.status === 'rejected')
  if (failure) {
    await closeAll(workers)
    throw failure.reason
  }
  return workers
}

/** Closes every worker (those already dead included). */
export async function closeAll(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.close()))
}

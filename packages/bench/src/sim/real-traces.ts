import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Trace } from './traces.js'

/** Where the published traces live unless `STACK_TRACES_DIR` says otherwise. */
export const DEFAULT_TRACES_DIR = new URL('../../../../../shared/traces/', import.meta.url)

/** The traces directory to replay, or `undefined` when it does not exist. */
export function tracesDirectory(): string | undefined {
  const directory = process.env.STACK_TRACES_DIR ?? DEFAULT_TRACES_DIR.pathname
  return existsSync(directory) ? directory : undefined
}

/** Assigns dense ids to keys in order of first appearance. */
class IdAssigner {
  readonly #ids = new Map<string | number, number>()

  id(key: string | number): number {
    let id = this.#ids.get(key)
    if (id === undefined) {
      id = this.#ids.size
      this.#ids.set(key, id)
    }
    return id
  }

  get size(): number {
    return this.#ids.size
  }
}

/** LIRS format: gzip text, one integer key per line; `*` lines are checkpoints. */
function lirsTrace(name: string, file: string): Trace {
  const ids = new IdAssigner()
  const requests: number[] = []
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    const text = line.trim()
    if (text === '' || text === '*') continue
    requests.push(ids.id(text))
  }
  return { name, requests: Int32Array.from(requests), idSpace: ids.size }
}

/** Corda format: gzip binary, big-endian signed 64-bit keys back to back. */
function cordaTrace(name: string, file: string): Trace {
  const bytes = gunzipSync(readFileSync(file))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const ids = new IdAssigner()
  const count = Math.floor(bytes.byteLength / 8)
  const requests = new Int32Array(count)
  for (let index = 0; index < count; index++) {
    requests[index] = ids.id(view.getBigInt64(index * 8, false).toString())
  }
  return { name, requests, idSpace: ids.size }
}

/** Every trace under `directory` (`lirs/*.trace.gz`, `corda/*.gz`), sorted by name. */
export function loadTraces(directory: string): Trace[] {
  const traces: Trace[] = []
  const lirs = join(directory, 'lirs')
  if (existsSync(lirs)) {
    for (const file of readdirSync(lirs).sort()) {
      if (file.endsWith('.trace.gz')) {
        traces.push(lirsTrace(file.replace('.trace.gz', ''), join(lirs, file)))
      }
    }
  }
  const corda = join(directory, 'corda')
  if (existsSync(corda)) {
    for (const file of readdirSync(corda).sort()) {
      if (file.endsWith('.gz')) traces.push(cordaTrace('corda', join(corda, file)))
    }
  }
  return traces
}

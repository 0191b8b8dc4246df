import type { MeterProvider, TracerProvider } from '@opentelemetry/api'
import { InvalidOptionError } from '@stack/core'

/** Options of {@link stackOtel}. */
export interface StackOtelOptions {
  /** Where metrics go. Default: the global provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider | undefined
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider | undefined
  /** Record spans for loader calls and remote tier operations. Default `true`. */
  readonly traces?: boolean | undefined
  /** Put the cache key on spans (`stack.cache.key`). Keys may be personal data. Default `false`. */
  readonly recordKeys?: boolean | undefined
}

const KNOWN = new Set(['meterProvider', 'tracerProvider', 'traces', 'recordKeys'])

export function validateOptions(options: StackOtelOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'stackOtel() takes an options object or nothing')
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new InvalidOptionError(name, `unknown option '${name}'`)
  }
  for (const name of ['traces', 'recordKeys'] as const) {
    const value = options[name]
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidOptionError(name, `${name} must be a boolean, got ${typeof value}`)
    }
  }
}

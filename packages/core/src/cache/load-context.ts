import type { Duration } from '../duration.js'
import type { LoaderContext } from './options.js'
import { validateTags } from './options.js'

/** The context handed to a loader; collects what the loader decided about caching. */
export class LoadContext implements LoaderContext {
  readonly key: string
  readonly stale: unknown
  readonly controller = new AbortController()
  ttl: Duration | undefined
  tags: readonly string[] | undefined
  skipped = false

  constructor(key: string, stale: unknown, tags: readonly string[] | undefined) {
    this.key = key
    this.stale = stale
    this.tags = tags
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  setTtl(ttl: Duration): void {
    this.ttl = ttl
  }

  setTags(tags: readonly string[]): void {
    validateTags(tags)
    this.tags = tags
  }

  skipCache(): void {
    this.skipped = true
  }
}

/**
 * One loader run for one key, shared by every caller that asks while it runs.
 *
 * The answer can settle before the run ends (a soft timeout answers with the stale
 * value while the loader goes on), so the flight stays registered until the run
 * itself finishes: later callers join it instead of starting another loader.
 */
export class Flight {
  /** Set when a write, delete or clear touched the key meanwhile: the result must not be cached. */
  superseded = false
  readonly answer: Promise<unknown>
  #resolve!: (value: unknown) => void
  #reject!: (error: unknown) => void

  constructor() {
    this.answer = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  /** Settles the answer; later calls are ignored. */
  resolve(value: unknown): void {
    this.#resolve(value)
  }

  reject(error: unknown): void {
    this.#reject(error)
  }
}

/** The flights in progress, by full key. */
export class Flights {
  readonly #byKey = new Map<string, Flight>()

  get(fullKey: string): Flight | undefined {
    return this.#byKey.get(fullKey)
  }

  /** Starts `run` as the flight of `fullKey`; its result settles the answer if nothing did before. */
  start(fullKey: string, run: (flight: Flight) => Promise<unknown>): Flight {
    const flight = new Flight()
    this.#byKey.set(fullKey, flight)
    let running: Promise<unknown>
    try {
      running = run(flight)
    } catch (error) {
      running = Promise.reject(error)
    }
    // The flight leaves the map as its run ends, before its answer settles: one promise
    // turn per flight, and a caller that sees the answer finds no finished flight to join.
    running.then(
      (value) => {
        this.#end(fullKey, flight)
        flight.resolve(value)
      },
      (error: unknown) => {
        this.#end(fullKey, flight)
        flight.reject(error)
      },
    )
    return flight
  }

  #end(fullKey: string, flight: Flight): void {
    if (this.#byKey.get(fullKey) === flight) this.#byKey.delete(fullKey)
  }

  /** Marks the flight of `fullKey`, or of every key starting with `prefix`, as superseded. */
  supersede(fullKey: string): void {
    const flight = this.#byKey.get(fullKey)
    if (flight) flight.superseded = true
  }

  supersedePrefix(prefix: string): void {
    for (const [key, flight] of this.#byKey) if (key.startsWith(prefix)) flight.superseded = true
  }
}

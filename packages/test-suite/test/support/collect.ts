import {
  type ConformanceOptions,
  type ConformanceRunner,
  runStoreConformance,
} from '../../src/index.js'

export interface CaseOutcome {
  /** Describe titles and the test title, joined with ' > '. */
  readonly title: string
  readonly error: unknown
  /** Why the suite skipped the test, if it did. */
  readonly skipped: string | undefined
}

/**
 * Runs the suite with a minimal hand-written runner and collects each test's outcome,
 * so tests can assert that the suite fails (and why) without failing themselves. Test
 * bodies get a context with `skip(reason)`, as under vitest and node:test; with
 * `registerSkips`, the runner instead offers `skip` for registering, as jest does.
 */
export async function collectOutcomes(
  options: Omit<ConformanceOptions, 'runner'>,
  { registerSkips = false } = {},
): Promise<CaseOutcome[]> {
  const path: string[] = []
  const tests: { title: string; body?: (context: unknown) => Promise<void> }[] = []
  const beforeHooks: (() => Promise<void>)[] = []
  const afterHooks: (() => Promise<void>)[] = []
  const runner: ConformanceRunner = {
    describe(name, body) {
      path.push(name)
      body()
      path.pop()
    },
    test(name, body) {
      tests.push({ title: [...path, name].join(' > '), body })
    },
    beforeAll: (hook) => beforeHooks.push(hook),
    afterAll: (hook) => afterHooks.push(hook),
    ...(registerSkips && {
      skip: (name: string) => {
        tests.push({ title: [...path, name].join(' > ') })
      },
    }),
  }
  await runStoreConformance({ ...options, runner })
  for (const hook of beforeHooks) await hook()
  const outcomes: CaseOutcome[] = []
  for (const { title, body } of tests) {
    if (body === undefined) {
      outcomes.push({ title, error: undefined, skipped: 'registered as skipped' })
      continue
    }
    let skipped: string | undefined
    const context = registerSkips ? undefined : { skip: (reason: string) => (skipped = reason) }
    const error = await body(context).then(
      () => undefined,
      (rejection: unknown) => rejection,
    )
    outcomes.push({ title, error, skipped })
  }
  for (const hook of afterHooks) await hook()
  return outcomes
}

/** The titles of the failed outcomes. */
export function failedTitles(outcomes: readonly CaseOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.error !== undefined).map((outcome) => outcome.title)
}

/** The titles of the skipped outcomes. */
export function skippedTitles(outcomes: readonly CaseOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.skipped !== undefined).map((outcome) => outcome.title)
}

import {
  type ConformanceOptions,
  type ConformanceRunner,
  runStoreConformance,
} from '../../src/index.js'

export interface CaseOutcome {
  /** Describe titles and the test title, joined with ' > '. */
  readonly title: string
  readonly error: unknown
}

/**
 * Runs the suite with a minimal hand-written runner and collects each test's outcome,
 * so tests can assert that the suite fails (and why) without failing themselves.
 */
export async function collectOutcomes(
  options: Omit<ConformanceOptions, 'runner'>,
): Promise<CaseOutcome[]> {
  const path: string[] = []
  const tests: { title: string; body: () => Promise<void> }[] = []
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
  }
  runStoreConformance({ ...options, runner })
  for (const hook of beforeHooks) await hook()
  const outcomes: CaseOutcome[] = []
  for (const { title, body } of tests) {
    outcomes.push({
      title,
      error: await body().then(
        () => undefined,
        (error: unknown) => error,
      ),
    })
  }
  for (const hook of afterHooks) await hook()
  return outcomes
}

/** The titles of the failed outcomes. */
export function failedTitles(outcomes: readonly CaseOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.error !== undefined).map((outcome) => outcome.title)
}

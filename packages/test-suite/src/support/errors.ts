import * as assert from 'node:assert/strict'

/** Asserts that `operation` rejects (or throws) with an error `isExpected` accepts. */
export async function assertRejectsWith(
  operation: () => Promise<unknown>,
  isExpected: (error: unknown) => boolean,
  expected: string,
  what: string,
): Promise<void> {
  let outcome: { error: unknown } | undefined
  try {
    await operation()
  } catch (error) {
    outcome = { error }
  }
  assert.ok(outcome, `${what}: expected a rejection with ${expected}, but it resolved`)
  assert.ok(
    isExpected(outcome.error),
    `${what}: expected ${expected}, got ${describeError(outcome.error)}`,
  )
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return `${error.name}${code === undefined ? '' : ` (code ${String(code)})`}: ${error.message}`
  }
  return String(error)
}

// Prints "N passed, N failed[, N skipped]" from a vitest JSON report.
// A missing or unreadable report (vitest crashed) counts as one failure.
import { readFileSync } from 'node:fs'

let report
try {
  report = JSON.parse(readFileSync(process.argv[2], 'utf8'))
} catch {
  console.log('0 passed, 1 failed')
  process.exit(0)
}
const passed = report.numPassedTests ?? 0
// Suites that failed to load hold tests that never ran: count each as a failure.
const failed =
  (report.numFailedTests ?? 0) +
  (report.numFailedTestSuites ?? 0) -
  countFailedSuitesWithFailedTests(report)
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)

function countFailedSuitesWithFailedTests(r) {
  return (r.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && (file.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length
}

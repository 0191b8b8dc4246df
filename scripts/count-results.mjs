// Prints "N passed, N failed[, N skipped]" from a vitest JSON report.
// A missing or unreadable report (vitest crashed) counts as one failure, and so does each
// test file that failed without a failed test (it could not load, so its tests never ran).
import { readFileSync } from 'node:fs'

let report
try {
  report = JSON.parse(readFileSync(process.argv[2], 'utf8'))
} catch {
  console.log('0 passed, 1 failed')
  process.exit(0)
}
const filesThatDidNotRun = (report.testResults ?? []).filter(
  (file) =>
    file.status === 'failed' &&
    !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
).length
const passed = report.numPassedTests ?? 0
const failed = (report.numFailedTests ?? 0) + filesThatDidNotRun
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)

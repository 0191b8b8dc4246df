#!/usr/bin/env bash
# Sets up everything (Node, pnpm, dependencies, build) and runs every test suite.
# Test servers (Redis, Memcached, PostgreSQL) must be installed: see README.
# Ends with the line "N passed, N failed[, N skipped]".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
source scripts/env.sh
mkdir -p .test-results
rm -f .test-results/vitest.json
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json "$@"
status=$?
node scripts/count-results.mjs .test-results/vitest.json
exit $status

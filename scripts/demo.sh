#!/usr/bin/env bash
# Sets up everything (Node, pnpm, dependencies, build) and runs the quickstart demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >/dev/null
source scripts/env.sh
pnpm --silent --filter @stack/example-quickstart start

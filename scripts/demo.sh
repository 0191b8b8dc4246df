#!/usr/bin/env bash
# Sets up everything (Node, pnpm, dependencies, build) and runs the quickstart demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
STACK_SKIP_BUILD=1 bash scripts/setup.sh >/dev/null
source scripts/env.sh
pnpm exec turbo run build --filter=@stack/example-quickstart... --output-logs=errors-only >/dev/null
pnpm --silent --filter @stack/example-quickstart start

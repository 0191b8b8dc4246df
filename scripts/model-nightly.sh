#!/usr/bin/env bash
# Explores the engine's model-based tests (packages/core/test/model) beyond CI's fixed
# seed: each round runs them with a fresh seed and more runs. A failure prints the seed
# and fast-check's `{ seed, path }`, replayable with
#   FC_SEED=<seed> FC_PATH=<path> npx vitest run test/model   (in packages/core)
# Usage: bash scripts/model-nightly.sh [rounds=5] [runs per property=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
rounds="${1:-5}"
runs="${2:-1000}"
failed=0
for ((round = 1; round <= rounds; round++)); do
  seed=$(( (RANDOM << 15 | RANDOM) ))
  echo "round ${round}/${rounds}: FC_SEED=${seed} FC_RUNS=${runs}"
  if ! (cd packages/core && FC_SEED="${seed}" FC_RUNS="${runs}" FC_TIMEOUT=600000 \
    npx vitest run test/model --testTimeout=0 --reporter=dot); then
    echo "FAILED with FC_SEED=${seed} FC_RUNS=${runs}"
    failed=1
  fi
done
exit "${failed}"

#!/usr/bin/env bash
# Runs core's model-based engine tests with many more seeds than CI does.
#
#   FC_RUNS     runs per property (default 2000; CI uses 100 per fault profile)
#   FC_SEED     first seed (default: random, printed so a failure can be replayed)
#   ROUNDS      how many consecutive seeds to run, FC_SEED .. FC_SEED+ROUNDS-1 (default 1)
#   FC_TIMEOUT  per-test timeout in ms (default 6 hours)
#
# A failure prints fast-check's `{ seed, path }`; replay it with
#   FC_SEED=<seed> FC_PATH=<path> pnpm exec vitest run test/model/faults.model.test.ts -t '<profile>'
set -euo pipefail
cd "$(dirname "$0")/.."

seed=${FC_SEED:-$(((RANDOM << 15) | RANDOM))}
runs=${FC_RUNS:-2000}
rounds=${ROUNDS:-1}
timeout=${FC_TIMEOUT:-21600000}

for ((i = 0; i < rounds; i++)); do
  current=$((seed + i))
  echo "model-nightly: FC_SEED=$current FC_RUNS=$runs"
  FC_SEED=$current FC_RUNS=$runs FC_TIMEOUT=$timeout \
    pnpm exec vitest run test/model/faults.model.test.ts test/model/engine.model.test.ts
done

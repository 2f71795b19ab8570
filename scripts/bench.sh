#!/usr/bin/env bash
# `npm run bench`: every performance goal, each part run even when an earlier one missed its goal;
# exits 1 when any goal is missed. Parts: synth against cdktf synth (scripts/bench.ts), the warm
# simulation of every environment (scripts/bench-simulate.ts), warm `npm test` (scripts/bench-test.ts).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
failed=0
for part in bench bench-simulate bench-test; do
  node scripts/run-built.js "build/scripts/$part.js" || failed=1
done
if ((failed)); then
  echo "bench: a goal was missed (see above)" >&2
fi
exit "$failed"

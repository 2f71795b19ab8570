#!/usr/bin/env bash
# `npm run check`: renders everything, then fails when the committed output differs from what the
# code renders now (stale dist/, charts/, config/schema.json or config/fleet.schema.json), showing what differs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

npm run --silent synth
paths=(dist charts config/schema.json config/fleet.schema.json)
changes=$(git status --porcelain --untracked-files=all -- "${paths[@]}")
if [[ -n "$changes" ]]; then
  echo "check: rendered output differs from the committed files; run npm run synth and commit:" >&2
  echo "$changes" >&2
  git --no-pager diff --stat -- "${paths[@]}" >&2
  exit 1
fi
echo "check: dist/, charts/, config/schema.json and config/fleet.schema.json match the code"

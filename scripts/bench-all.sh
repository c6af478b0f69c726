#!/usr/bin/env bash
# Runs every benchmark in bench/ one after another (each writes bench/results/<name>.json),
# or only those named: `npm run bench -- validate bus`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/*.ts; do names+=("$(basename "$f" .ts)"); done
fi
mkdir -p bench/results
for n in "${names[@]}"; do
  if [ ! -f "bench/$n.ts" ]; then echo "bench: no bench/$n.ts" >&2; exit 2; fi
  printf '\n==> bench/%s\n' "$n"
  npx tsx "bench/$n.ts"
done

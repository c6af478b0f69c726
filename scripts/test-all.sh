#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to read. Run by `npm run test:all`
# (after `npm ci`), which is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "system tools (nats-server, Maven, JDK, python3-venv)"
bash scripts/ensure-tools.sh

if [ -f scripts/python-env.sh ]; then
  step "Python virtualenv for the generated SDK"
  bash scripts/python-env.sh
fi

if [ -f scripts/peer-env.sh ]; then
  step "Python virtualenv for the deployed SDK peer (openagentio==0.3.0 from PyPI)"
  bash scripts/peer-env.sh
fi

if [ -f scripts/a2a-peer-env.sh ]; then
  step "Python virtualenv for the official A2A SDK peer (a2a-sdk==1.3.0 from PyPI)"
  bash scripts/a2a-peer-env.sh
fi

step "typecheck"
npx tsc -p tsconfig.json --noEmit

step "lint and format (biome check, no writes: npm run format fixes layout)"
npm run lint

step "generated/ is up to date"
npx tsx bin/oaio.ts generate --check
npx tsx bin/oaio.ts generate --contracts examples/contracts --check

step "golden corpus: oaio validate"
npx tsx bin/oaio.ts validate golden/valid golden/v1 -q
set +e
npx tsx bin/oaio.ts validate golden/invalid -q >/dev/null
rc=$?
set -e
if [ "$rc" -ne 1 ]; then echo "oaio validate golden/invalid exited $rc, expected 1" >&2; exit 1; fi

step "vitest (TypeScript, NATS, Python and Kotlin suites)"
npx vitest run

if npx tsx bin/oaio.ts conformance --help >/dev/null 2>&1; then
  step "cross-language conformance"
  npx tsx bin/oaio.ts conformance
fi

step "all tests passed"

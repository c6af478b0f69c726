#!/usr/bin/env bash
# Creates or updates the virtualenv (.venv-peer/ at the repository root) that runs the DEPLOYED
# OpenAgentIO Python SDK as a peer in test/peers/: `openagentio==0.3.0` from PyPI, the
# nats-py it needs and what its HTTP adapter needs to serve (starlette, uvicorn), pinned with
# hashes in test/peers/python/requirements.txt. A venv of its
# own because .venv/ holds the generated SDK (generated/python), also a package named
# `openagentio`. Idempotent, and quick when nothing changed: a stamp of the interpreter, this
# script and the requirements file skips pip entirely. Prints the venv's python on stdout.
#   OAIO_PEER_VENV  venv directory (default: .venv-peer)
#   PYTHON          interpreter to create it with (default: python3, needs >= 3.11)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
venv="${OAIO_PEER_VENV:-$root/.venv-peer}"
reqs="$root/test/peers/python/requirements.txt"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "peer-env: $python is missing or older than 3.11 (openagentio 0.3.0 requires it; set PYTHON=...)" >&2
  exit 2
fi
if [ ! -f "$reqs" ]; then
  echo "peer-env: $reqs is missing" >&2
  exit 2
fi

# One setup at a time (test files run in parallel); the lock lives outside the repository.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/oaio-peer-env.$(printf '%s' "$venv" | sha256sum | cut -c1-16).lock"
  flock 9
fi

want="$("$python" -c 'import sys; print(sys.version)' | head -1)|$root|$(sha256sum "$reqs" "$0" | cut -c1-64 | tr '\n' ' ')"
stamp="$venv/.oaio-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv/bin/python"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "peer-env: creating $venv" >&2
  "$python" -m venv "$venv"
fi
echo "peer-env: installing openagentio==0.3.0, nats-py, starlette and uvicorn from PyPI (pinned, hashed)" >&2
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --require-hashes --only-binary :all: -r "$reqs" >&2
# The installed package must be the deployed release, not something else named openagentio.
"$venv/bin/python" - <<'PY' >&2
from importlib.metadata import version
got = (version("openagentio"), version("nats-py"))
if got != ("0.3.0", "2.16.0"):
    raise SystemExit(f"peer-env: expected openagentio 0.3.0 and nats-py 2.16.0, got {got}")
PY
printf '%s' "$want" > "$stamp"
echo "$venv/bin/python"

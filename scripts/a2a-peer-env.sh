#!/usr/bin/env bash
# Creates or updates the virtualenv (.venv-a2a/ at the repository root) that runs the official
# A2A Python SDK, `a2a-sdk==1.3.0` from PyPI with its grpc and http-server extras and uvicorn,
# as an outside referee for the A2A bindings (client and server, JSON-RPC, HTTP+JSON, gRPC).
# Pinned with hashes in test/peers/a2a-python/requirements.txt. A venv of its own because its
# protobuf/grpcio pins are not the deployed OpenAgentIO SDK's (.venv-peer) nor the generated
# SDK's (.venv). Idempotent, and quick when nothing changed: a stamp of the interpreter, this
# script and the requirements file skips pip entirely. Prints the venv's python on stdout.
#   OAIO_A2A_VENV  venv directory (default: .venv-a2a)
#   PYTHON         interpreter to create it with (default: python3, needs >= 3.11)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
venv="${OAIO_A2A_VENV:-$root/.venv-a2a}"
reqs="$root/test/peers/a2a-python/requirements.txt"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "a2a-peer-env: $python is missing or older than 3.11 (set PYTHON=...)" >&2
  exit 2
fi
if [ ! -f "$reqs" ]; then
  echo "a2a-peer-env: $reqs is missing" >&2
  exit 2
fi

# One setup at a time (test files run in parallel); the lock lives outside the repository.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/oaio-a2a-peer-env.$(printf '%s' "$venv" | sha256sum | cut -c1-16).lock"
  flock 9
fi

want="$("$python" -c 'import sys; print(sys.version)' | head -1)|$(sha256sum "$reqs" "$0" | cut -c1-64 | tr '\n' ' ')"
stamp="$venv/.oaio-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv/bin/python"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "a2a-peer-env: creating $venv" >&2
  "$python" -m venv "$venv"
fi
echo "a2a-peer-env: installing a2a-sdk==1.3.0 with grpc and http-server extras, uvicorn (pinned, hashed)" >&2
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --require-hashes --only-binary :all: -r "$reqs" >&2
"$venv/bin/python" - <<'PY' >&2
from importlib.metadata import version
got = version("a2a-sdk")
if got != "1.3.0":
    raise SystemExit(f"a2a-peer-env: expected a2a-sdk 1.3.0, got {got}")
PY
printf '%s' "$want" > "$stamp"
echo "$venv/bin/python"

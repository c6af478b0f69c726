#!/usr/bin/env bash
# Creates or updates the Python virtualenv (.venv/ at the repository root) the generated
# Python SDK is tested with: pinned pytest, mypy and ruff (the `dev` extra of
# generated/python/pyproject.toml), nats-py and opentelemetry-api (its `nats` and `otel` extras; the
# dev extra adds opentelemetry-sdk for the trace tests) and the generated package itself in
# editable mode.
# Idempotent, and quick when nothing changed: a stamp of the interpreter, this script and the
# package's pyproject.toml skips pip entirely. Prints the venv's python on stdout.
#   OAIO_VENV   venv directory (default: .venv)
#   PYTHON      interpreter to create it with (default: python3, needs >= 3.11)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
venv="${OAIO_VENV:-$root/.venv}"
pkg="$root/generated/python"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "python-env: $python is missing or older than 3.11 (set PYTHON=...)" >&2
  exit 2
fi
if [ ! -f "$pkg/pyproject.toml" ]; then
  echo "python-env: $pkg/pyproject.toml is missing; run: npx tsx bin/oaio.ts generate" >&2
  exit 2
fi

# One setup at a time (test files run in parallel); the lock lives outside the repository.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/oaio-python-env.$(printf '%s' "$venv" | sha256sum | cut -c1-16).lock"
  flock 9
fi

want="$("$python" -c 'import sys; print(sys.version)' | head -1)|$root|$(sha256sum "$pkg/pyproject.toml" "$0" | cut -c1-64 | tr '\n' ' ')"
stamp="$venv/.oaio-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv/bin/python"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "python-env: creating $venv" >&2
  "$python" -m venv "$venv"
fi
echo "python-env: installing openagentio (editable) with pytest, mypy, ruff, nats-py, opentelemetry" >&2
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --editable "$pkg[dev,nats,otel]" >&2
printf '%s' "$want" > "$stamp"
echo "$venv/bin/python"

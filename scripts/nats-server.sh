#!/usr/bin/env bash
# Builds the pinned nats-server every test and benchmark uses, once, into a cache outside the
# repository, and prints its path. Debian's package (2.9.10, January 2023) lacks what current
# deployments have: per-message TTL, KV per-key TTL, consumer priority groups, atomic batch
# publish. Built with the Go module proxy (`go install`, ~30 s cold; a cached binary returns
# at once). Override with OAIO_NATS_SERVER=/path/to/nats-server (its version is not checked).
#   OAIO_NATS_VERSION  pinned version (default v2.15.3)
#   OAIO_CACHE         cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/openagentio)
set -euo pipefail
if [ -n "${OAIO_NATS_SERVER:-}" ]; then echo "$OAIO_NATS_SERVER"; exit 0; fi
version="${OAIO_NATS_VERSION:-v2.15.3}"
cache="${OAIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/openagentio}"
dir="$cache/nats-server-$version"
bin="$dir/nats-server"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  for g in /usr/local/go/bin/go /usr/lib/go/bin/go; do [ -x "$g" ] && PATH="$(dirname "$g"):$PATH" && break; done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "nats-server.sh: Go (>= 1.24) is needed to build nats-server $version; install Go or set OAIO_NATS_SERVER" >&2
  exit 2
fi
mkdir -p "$dir"
exec 9>"$dir.lock"
command -v flock >/dev/null 2>&1 && flock 9
if [ ! -x "$bin" ]; then
  echo "nats-server.sh: building nats-server $version with go install (cached in $dir)" >&2
  GOBIN="$dir" GOFLAGS=-mod=mod go install "github.com/nats-io/nats-server/v2@$version" >&2
fi
"$bin" --version >&2
echo "$bin"

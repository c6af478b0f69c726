#!/usr/bin/env bash
# Writes schema/a2a/a2a-v1.descriptor.json: the A2A 1.0 protocol definition (package lf.a2a.v1,
# service A2AService, with the google/api and google/protobuf files it imports) as a
# protobuf FileDescriptorSet in proto3 JSON, taken from the official A2A Python SDK pinned in
# test/peers/a2a-python/requirements.txt (its compiled a2a_pb2 is built from the normative
# specification/a2a.proto). The generator turns it into generated/a2a/grpc-descriptor.ts, which
# the gRPC binding loads with @grpc/proto-loader.
#   --check   exit 1 (and say so) when the committed file differs from the pinned SDK's
set -euo pipefail
cd "$(dirname "$0")/.."
out="schema/a2a/a2a-v1.descriptor.json"
python="$(bash scripts/a2a-peer-env.sh)"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$python" - >"$tmp" <<'PY'
import json
from a2a.types import a2a_pb2
from google.protobuf import descriptor_pb2, json_format

seen: set[str] = set()
fds = descriptor_pb2.FileDescriptorSet()

def add(fd) -> None:
    if fd.name in seen:
        return
    for dep in fd.dependencies:
        add(dep)
    seen.add(fd.name)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    fds.file.append(proto)

add(a2a_pb2.DESCRIPTOR)
print(json.dumps(json_format.MessageToDict(fds), indent=2, ensure_ascii=False))
PY
if [ "${1:-}" = "--check" ]; then
  if ! cmp -s "$tmp" "$out"; then
    echo "a2a-descriptor: $out differs from the descriptor of the pinned a2a-sdk; run: bash scripts/a2a-descriptor.sh" >&2
    exit 1
  fi
  exit 0
fi
cp "$tmp" "$out"
echo "a2a-descriptor: wrote $out" >&2

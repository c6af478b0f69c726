#!/usr/bin/env bash
# Writes schema/a2a/a2a-v1.descriptor.json: the A2A 1.0 protocol definition (package lf.a2a.v1,
# service A2AService, with the google/api and google/protobuf files it imports) as a
# protobuf FileDescriptorSet in proto3 JSON, taken from the official A2A Python SDK pinned in
# test/peers/a2a-python/requirements.txt (its compiled a2a_pb2 is built from the normative
# specification/a2a.proto), plus google/rpc/status.proto and google/rpc/error_details.proto from
# googleapis-common-protos (pinned there too): the gRPC binding's errors carry a google.rpc.Status
# with a google.rpc.ErrorInfo detail in the grpc-status-details-bin trailer. The generator turns
# it into generated/a2a/grpc-descriptor.ts, which runtime/a2a/proto.ts loads with
# @bufbuild/protobuf.
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
from google.rpc import error_details_pb2, status_pb2

seen: set[str] = set()
fds = descriptor_pb2.FileDescriptorSet()

def json_name(name: str) -> str:
    # protoc's ToJsonName: drop each underscore and upper-case the letter after it.
    out, upper = [], False
    for ch in name:
        if ch == "_":
            upper = True
        else:
            out.append(ch.upper() if upper else ch)
            upper = False
    return "".join(out)

def fill_json_names(msg) -> None:
    # Some compiled files (googleapis-common-protos) leave json_name out; protoc always sets it
    # for the descriptors it hands on, and ProtoJSON readers (@bufbuild/protobuf) need it.
    for f in msg.field:
        if not f.HasField("json_name"):
            f.json_name = json_name(f.name)
    for nested in msg.nested_type:
        fill_json_names(nested)

def add(fd) -> None:
    if fd.name in seen:
        return
    for dep in fd.dependencies:
        add(dep)
    seen.add(fd.name)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    for msg in proto.message_type:
        fill_json_names(msg)
    fds.file.append(proto)

add(a2a_pb2.DESCRIPTOR)
add(status_pb2.DESCRIPTOR)
add(error_details_pb2.DESCRIPTOR)
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

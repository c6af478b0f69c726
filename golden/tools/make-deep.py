#!/usr/bin/env python3
"""Writes the golden files whose point is deep nesting (64 levels are tedious to type by hand).

  valid/v1-request-payload-nested-64-levels.json       payload is 64 nested containers, objects and arrays alternating
  valid/v2-tool-call-arguments-nested-64-levels.json   tool.call arguments (schema-checked) nested 64 objects deep

Depth counts containers from the payload (or arguments) itself = level 1.

Usage: python3 golden/tools/make-deep.py [--check]
  --check  write nothing; exit 1 naming each file whose bytes differ from what would be written.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent
DEPTH = 64


def alternating(depth: int) -> str:
    """Level 1 is an object, level 2 an array, ... the innermost holds the string "bottom"."""
    text = '"bottom"'
    for level in range(depth, 0, -1):
        text = '{"level":' + str(level) + ',"next":' + text + '}' if level % 2 else '[' + str(level) + ',' + text + ']'
    return text


def objects(depth: int) -> str:
    text = '"bottom"'
    for level in range(depth, 0, -1):
        text = '{"l' + str(level) + '":' + text + '}'
    return text


def outputs() -> dict[str, bytes]:
    deep_request = (
        '{"spec_version":"acp/1.0","schema_version":1,"event_id":"019ca8d7-3200-7a00-8b00-200000000001",'
        '"event_type":"agent.message.received","occurred_at":"2026-03-01T10:03:00Z","to":"echo",'
        '"frame_type":"request","payload":' + alternating(DEPTH) + '}\n'
    )
    deep_tool_call = (
        '{"spec_version":"acp/1.0","schema_version":2,"event_id":"019ca8d7-3200-7b01-8b00-200000000002",'
        '"event_type":"agent.tool.call","phase":"working","occurred_at":"2026-03-01T10:03:01Z",'
        '"from":"planner","to":"tree-tools","frame_type":"tool.call",'
        '"payload":{"call_id":"call_deep","name":"tree.insert","arguments":' + objects(DEPTH) + '}}\n'
    )
    out = {
        "valid/v1-request-payload-nested-64-levels.json": deep_request.encode("ascii"),
        "valid/v2-tool-call-arguments-nested-64-levels.json": deep_tool_call.encode("ascii"),
    }
    for data in out.values():
        json.loads(data)
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    stale = []
    for rel, data in outputs().items():
        path = GOLDEN / rel
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(rel)
        else:
            path.write_bytes(data)
    for rel in stale:
        print(f"stale: golden/{rel}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

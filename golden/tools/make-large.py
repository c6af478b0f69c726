#!/usr/bin/env python3
"""Writes the golden files whose point is their size (they are too big to write by hand).

  valid/v1-request-payload-exactly-1-mib.json     exactly 1,048,576 bytes: the largest accepted document
  invalid/too-large-one-byte-over-1-mib.json      1,048,577 bytes: the smallest rejected document
  invalid/too-large-1-1-mb.json                   about 1.1 MB of otherwise valid JSON

The decode contract (ARCHITECTURE.md, spec/errors.md) rejects a document of MORE than
maxBytes (default 1 MiB = 1,048,576 bytes) with CODEC_FAILURE and pointer "" before it
looks at the content, so the two invalid files are well-formed envelopes except for size.

Usage: python3 golden/tools/make-large.py [--check]
  --check  write nothing; exit 1 naming each file whose bytes differ from what would be written.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent
MIB = 1_048_576
SENTENCE = "The quick brown fox jumps over the lazy dog. "


def envelope(event_id: str, note: str, total: int) -> bytes:
    """A compact v1 request whose payload.document pads the document to exactly `total` bytes."""
    head = (
        '{"spec_version":"acp/1.0","schema_version":1,"event_id":"' + event_id + '",'
        '"event_type":"agent.message.received","occurred_at":"2026-03-01T10:02:00Z",'
        '"from":"bulk-loader","to":"summarizer","frame_type":"request",'
        '"payload":{"note":"' + note + '","document":"'
    )
    tail = '"}}'
    room = total - len(head) - len(tail)
    if room <= 0:
        raise SystemExit(f"make-large: {total} bytes is too small for the envelope")
    body = (SENTENCE * (room // len(SENTENCE) + 1))[:room]
    data = (head + body + tail).encode("ascii")
    assert len(data) == total, len(data)
    json.loads(data)  # must stay one well-formed JSON value
    return data


def sidecar(description: str) -> bytes:
    obj = {"code": "CODEC_FAILURE", "pointer": "", "description": description}
    return (json.dumps(obj, indent=2) + "\n").encode("utf-8")


def outputs() -> dict[str, bytes]:
    return {
        "valid/v1-request-payload-exactly-1-mib.json": envelope(
            "019ca8d7-3100-7a00-8a00-100000000001",
            "exactly 1048576 bytes: the size limit itself is accepted",
            MIB,
        ),
        "invalid/too-large-one-byte-over-1-mib.json": envelope(
            "019ca8d7-3100-7a01-8a00-100000000002",
            "1048577 bytes: one byte over the limit",
            MIB + 1,
        ),
        "invalid/too-large-one-byte-over-1-mib.expected.json": sidecar(
            "1,048,577 bytes, one more than maxBytes (1 MiB); otherwise a valid envelope. "
            "The size check runs first, so nothing else is reported."
        ),
        "invalid/too-large-1-1-mb.json": envelope(
            "019ca8d7-3100-7a02-8a00-100000000003",
            "about 1.1 MB",
            1_100_000,
        ),
        "invalid/too-large-1-1-mb.expected.json": sidecar(
            "1,100,000 bytes, more than maxBytes (1 MiB); otherwise a valid envelope."
        ),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    stale = []
    for rel, data in outputs().items():
        path = GOLDEN / rel
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for rel in stale:
        print(f"stale: golden/{rel}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

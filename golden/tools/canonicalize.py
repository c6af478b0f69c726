#!/usr/bin/env python3
"""Writes golden/canonical/<case>.json: the RFC 8785 (JCS) canonical bytes of golden/valid/<case>.json.

The canonical bytes come from the `rfc8785` package (a JCS implementation independent of
this project's runtime), so golden comparisons do not test our canonicalizer against itself.
See spec/canonical-json.md for the rules and golden/README.md for the workflow.

Setup (once):  python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install rfc8785==0.1.4
Usage:         /tmp/golden-venv/bin/python golden/tools/canonicalize.py [--check]
  --check  write nothing; exit 1 naming every canonical file that is missing, differs, or has
           no valid/ source (drift).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

try:
    import rfc8785
except ImportError:  # pragma: no cover - setup hint
    sys.exit("canonicalize: the rfc8785 package is missing; see the setup line at the top of this file")

GOLDEN = Path(__file__).resolve().parent.parent
VALID = GOLDEN / "valid"
CANONICAL = GOLDEN / "canonical"


def canonical_bytes(source: bytes, name: str) -> bytes:
    """Strict UTF-8 (a BOM is an error), exactly one JSON value, then JCS."""
    if source.startswith(b"\xef\xbb\xbf"):
        raise SystemExit(f"canonicalize: {name} starts with a BOM")
    text = source.decode("utf-8", errors="strict")

    def no_constants(token: str) -> float:
        raise SystemExit(f"canonicalize: {name} uses the non-JSON number {token}")

    value = json.loads(text, parse_constant=no_constants)
    return rfc8785.dumps(value)


def expected() -> dict[str, bytes]:
    return {
        path.name: canonical_bytes(path.read_bytes(), path.name)
        for path in sorted(VALID.glob("*.json"))
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    want = expected()
    if not check:
        CANONICAL.mkdir(exist_ok=True)
        for name, data in want.items():
            target = CANONICAL / name
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
        for orphan in sorted(CANONICAL.glob("*.json")):
            if orphan.name not in want:
                orphan.unlink()
                print(f"removed orphan golden/canonical/{orphan.name}")
        print(f"canonicalize: {len(want)} canonical files in golden/canonical")
        return 0
    problems = []
    for name, data in want.items():
        target = CANONICAL / name
        if not target.exists():
            problems.append(f"missing: golden/canonical/{name}")
        elif target.read_bytes() != data:
            problems.append(f"differs: golden/canonical/{name}")
    for existing in sorted(CANONICAL.glob("*.json")) if CANONICAL.exists() else []:
        if existing.name not in want:
            problems.append(f"orphan:  golden/canonical/{existing.name} (no golden/valid source)")
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

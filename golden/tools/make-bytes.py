#!/usr/bin/env python3
"""Writes the golden/invalid files whose defect is in the bytes, not in the envelope:
bad UTF-8, a BOM, other encodings, and JSON text that is not exactly one JSON value.
Each must be rejected with CODEC_FAILURE and pointer "" (spec/errors.md, decode order steps 2-3).

They are written by a script because the exact bytes matter (no trailing newline, stray
bytes that editors "fix"). The envelope inside is otherwise valid.

Usage: python3 golden/tools/make-bytes.py [--check]
  --check  write nothing; exit 1 naming each file whose bytes differ from what would be written.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

INVALID = Path(__file__).resolve().parent.parent / "invalid"


def envelope(n: int, text: str = "ping") -> bytes:
    """A valid compact v1 request; `text` is spliced in raw (it may hold already-escaped JSON)."""
    return (
        '{"spec_version":"acp/1.0","schema_version":1,'
        f'"event_id":"019ca8d7-4100-7a{n:02x}-8d00-410000000000",'
        '"event_type":"agent.message.received","occurred_at":"2026-03-01T10:05:00Z",'
        '"to":"echo","frame_type":"request","payload":{"text":"' + text + '"}}'
    ).encode("utf-8")


def splice(n: int, raw: bytes) -> bytes:
    """A valid envelope whose payload.text holds the raw bytes `raw` (between ASCII markers)."""
    marker = "@@"
    head, tail = envelope(n, marker).split(marker.encode())
    return head + b"before " + raw + b" after" + tail


CASES: list[tuple[str, bytes, str]] = [
    # step 2: UTF-8
    ("utf8-invalid-byte-ff", splice(1, b"\xff"), "The byte 0xFF never occurs in UTF-8."),
    ("utf8-lone-continuation-byte", splice(2, b"\x80"), "A continuation byte (0x80) without a lead byte."),
    ("utf8-truncated-sequence", splice(3, b"\xe2\x82"), "A three-byte sequence (the start of U+20AC) cut after two bytes."),
    ("utf8-overlong-encoding", splice(4, b"\xc0\xaf"), "0xC0 0xAF is an overlong encoding of '/'; UTF-8 forbids overlong forms."),
    ("utf8-encoded-surrogate", splice(5, b"\xed\xa0\x80"), "0xED 0xA0 0x80 encodes the surrogate U+D800 (CESU-8 / WTF-8); not UTF-8."),
    ("utf8-above-u10ffff", splice(6, b"\xf4\x90\x80\x80"), "0xF4 0x90 0x80 0x80 would be U+110000, beyond Unicode."),
    ("latin1-encoded-text", splice(7, "Grüße".encode("latin-1")), "'Grüße' encoded as ISO-8859-1 (0xFC, 0xDF) instead of UTF-8."),
    ("utf8-bom", b"\xef\xbb\xbf" + envelope(8), "A UTF-8 byte order mark before the envelope. RFC 8259 forbids sending one; decoders reject it rather than guess."),
    ("utf16le-with-bom", b"\xff\xfe" + envelope(9).decode("ascii").encode("utf-16-le"), "The envelope encoded as UTF-16LE with its BOM."),
    # step 3: exactly one JSON value
    ("empty-file", b"", "Zero bytes: no JSON value at all."),
    ("whitespace-only", b" \t\r\n ", "Only white space: no JSON value."),
    ("truncated-json", envelope(10)[: envelope(10).index(b"message")], "The envelope cut off in the middle of the event_type value."),
    ("trailing-garbage", envelope(11) + b"x", "A valid envelope followed by the byte 'x'."),
    ("trailing-second-envelope", envelope(12) + b"\n" + envelope(13) + b"\n", "Two envelopes in one document (NDJSON is one envelope per line, handled by the line reader, not the decoder)."),
    ("trailing-nul-byte", envelope(14) + b"\x00", "A valid envelope followed by a NUL byte (valid UTF-8, but not JSON white space)."),
    ("json-trailing-comma", envelope(15)[:-1] + b",}", "A comma after the last member of the top-level object."),
    ("json-single-quoted-strings", envelope(16).replace(b'"', b"'"), "Strings in single quotes."),
    ("json-comment", b"// request\n" + envelope(17), "A // comment before the envelope; JSON has no comments."),
    ("json-unquoted-key", envelope(18).replace(b'"to":', b"to:"), "An object key without quotes."),
    ("json-nan-literal", envelope(19)[:-1] + b',"seq":NaN}', "The number NaN; JSON has no NaN (Python's json module accepts it unless told not to)."),
    ("json-infinity-literal", envelope(20)[:-1] + b',"seq":Infinity}', "The number Infinity; JSON has no Infinity."),
    ("json-leading-zero-number", envelope(21)[:-1] + b',"seq":01}', "The number 01; JSON numbers have no leading zeros."),
    ("json-plus-sign-number", envelope(22)[:-1] + b',"seq":+1}', "The number +1; JSON numbers have no plus sign."),
    ("json-hex-number", envelope(23)[:-1] + b',"seq":0x10}', "The number 0x10; JSON has no hexadecimal numbers."),
    ("json-raw-control-character-in-string", envelope(24, "tab\there"), "A raw TAB (0x09) inside a string; control characters must be escaped."),
    ("json-raw-newline-in-string", envelope(25, "line\nbreak"), "A raw line feed inside a string."),
    ("json-invalid-escape", envelope(26, "\\x41"), "The escape \\x41; JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX."),
    ("json-short-unicode-escape", envelope(27, "\\u41"), "The escape \\u41 has two hex digits instead of four."),
]


def sidecar(description: str) -> bytes:
    obj = {"code": "CODEC_FAILURE", "pointer": "", "description": description}
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def outputs() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for name, data, description in CASES:
        out[f"{name}.json"] = data
        out[f"{name}.expected.json"] = sidecar(description)
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv[1:]
    stale = []
    for name, data in outputs().items():
        path = INVALID / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
    for name in stale:
        print(f"stale: golden/invalid/{name}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

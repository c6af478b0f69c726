"""The Python runtime's schema checks on a delta frame, in microseconds (min of 7 timeit runs).

Run: PYTHONPATH=<generated/python/src of a tree> .venv/bin/python bench/sdk-python/checks.py
Prints one JSON line: the inbound check (what wire.decode asks first), the send check (what
wire.encode_own asks), wire.decode, wire.encode_own and codec.try_decode. Works on trees
before the generated checks (runtime/checks.py's hand-written inbound_valid / own_valid) and
after (checks.envelope_valid / built_valid), so two trees compare in alternating processes
(bench/README.md "sdk-python").
"""

from __future__ import annotations

import json
import timeit

from openagentio.runtime import checks, wire
from openagentio.runtime.context import Context

obj = wire.base(
    "agent.response.delta",
    {"delta": "hello world"},
    schema_version=2,
    sender="a",
    ctx=Context(session_id="s", trace_id="0af7651916cd43dd8448eb211c80319c"),
) | {"seq": 3, "to": "b", "correlation_id": "c"}
data = json.dumps(obj).encode()
doc = json.loads(data)
inbound = getattr(checks, "inbound_valid", None) or checks.envelope_valid
send = getattr(checks, "own_valid", None) or checks.built_valid
assert inbound(doc) and send(obj)


def us(stmt: str, n: int = 20_000) -> float:
    runs = timeit.repeat(stmt, number=n, repeat=7, globals=globals())
    return round(min(runs) / n * 1e6, 2)


print(
    json.dumps({
        "inbound_check": us("inbound(doc)"),
        "send_check": us("send(obj)"),
        "wire.decode": us("wire.decode(data, max_bytes=1 << 20)"),
        "encode_own": us("wire.encode_own(obj)"),
        "try_decode": us("try_decode(data)", 5_000),
    })
)

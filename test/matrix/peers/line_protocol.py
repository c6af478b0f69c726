"""The matrix protocol's plumbing shared by the Python peers (runtime_peer.py, deployed_peer.py):
JSON lines out, commands in from stdin, each answered by the peer's `op_<name>` method
(test/matrix/README.md). Imported by path: each peer's folder is first on sys.path."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class LinePeer(Protocol):
    """What `serve` needs of a peer: `done` set to stop, and `op_<name>(cmd)` methods."""

    done: asyncio.Event


def emit(obj: dict[str, Any]) -> None:
    """One JSON line on stdout."""
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def app_metadata(m: Any) -> dict[str, Any] | None:
    """Metadata without the runtime's `acp.*` keys; None when nothing is left."""
    if not isinstance(m, dict):
        return None
    out = {k: v for k, v in m.items() if not k.startswith("acp.")}
    return out or None


async def serve(peer: LinePeer, close: Callable[[], Awaitable[None]]) -> None:
    """Answers each stdin command concurrently until `peer.done` is set or stdin ends, then
    cancels what is still running and awaits `close()`."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 22)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks: set[asyncio.Task[None]] = set()

    async def run(cmd: dict[str, Any]) -> None:
        try:
            answer = await getattr(peer, "op_" + cmd["op"])(cmd)
            emit({"id": cmd["id"], "ok": True, **answer})
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            emit({"id": cmd.get("id"), "ok": False, "error": f"{type(e).__name__}: {e}"})

    async def read() -> None:
        while True:
            line = await reader.readline()
            if not line:
                peer.done.set()
                return
            task = asyncio.create_task(run(json.loads(line)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    reading = asyncio.create_task(read())
    await peer.done.wait()
    reading.cancel()
    for t in list(tasks):
        t.cancel()
    await close()

"""A Python bus handler (the generated SDK, openagentio.runtime) speaking A2A content.

`py.files` answers with a file (raw bytes), a file URL and data; `py.echo-parts` echoes the
parts it received after the first; `py.message` answers with a Message. The JSON shapes are
spec/a2a.md "Parts: text, data and files": nothing here is TypeScript-specific.
"""
from __future__ import annotations

import asyncio
import base64
import json
import sys

from openagentio.runtime import Bus
from openagentio.runtime.nats import NatsTransport


async def main(url: str) -> None:
    bus = Bus(await NatsTransport.connect(url), agent_id="py-files", owns_transport=True)

    async def files(payload, ctx):
        return {
            "a2a.parts": [
                {"text": "from python"},
                {"raw": base64.b64encode(bytes([0, 255, 1, 254])).decode(), "mediaType": "application/octet-stream", "filename": "py.bin"},
                {"url": "https://files.example/py.pdf", "mediaType": "application/pdf"},
                {"data": {"lang": "python"}},
            ]
        }

    async def echo_parts(payload, ctx):
        return {"a2a.parts": payload["a2a.parts"][1:]}

    async def message(payload, ctx):
        return {"a2a.parts": [{"text": "python says hi"}], "a2a.answer": "message"}

    await bus.handle_invoke("py.files", files)
    await bus.handle_invoke("py.echo-parts", echo_parts)
    await bus.handle_invoke("py.message", message)
    await bus.transport.flush()
    await asyncio.sleep(0.05)
    print(json.dumps({"event": "ready"}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await bus.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

"""The generated Python runtime (generated/python, `openagentio.runtime`) as a matrix peer.

    python runtime_peer.py --nats nats://127.0.0.1:PORT --name py [--schema-version 1]

Speaks the line protocol of test/matrix/README.md on stdin/stdout: commands run concurrently;
the first line is {"event": "ready", ...}; EOF on stdin or {"op": "close"} closes the bus and
exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from line_protocol import app_metadata, emit, serve
from openagentio.errors import AcpError
from openagentio.runtime import (
    Bus,
    Context,
    Delta,
    Final,
    HandlerContext,
    Started,
    StreamWriter,
)
from openagentio.runtime.nats import NatsTransport

ENDLESS_MAX = 600
ENDLESS_PAUSE_S = 0.005
SILENT_MAX_S = 4.0


def seen_of(ctx: HandlerContext) -> dict[str, Any]:
    env = ctx.envelope

    def s(v: Any) -> Any:
        return v if isinstance(v, str) and v != "" else None

    return {
        "from": s(env.from_),
        "session_id": s(env.session_id),
        "conversation_id": s(env.conversation_id),
        "channel": s(env.channel),
        "tenant_id": s(env.tenant_id),
        "user_id": s(env.user_id),
        "traceparent": s(env.traceparent),
        "schema_version": env.schema_version,
        "phase": None if env.phase is None else str(env.phase),
        "metadata": app_metadata(env.metadata),
    }


def wire_error(err: AcpError) -> dict[str, Any]:
    return {"code": err.code, "message": err.message, "retryable": err.retryable}


def context_of(cmd: dict[str, Any]) -> Context | None:
    fields = dict(cmd.get("context") or {})
    if isinstance(cmd.get("tenant"), str):
        fields["tenant_id"] = cmd["tenant"]
    return Context(**fields) if fields else None


class Peer:
    def __init__(self, bus: Bus, name: str) -> None:
        self.bus = bus
        self.name = name
        self.done = asyncio.Event()

    async def invoke_answer(self, target: str, payload: Any, cmd: dict[str, Any]) -> dict[str, Any]:
        try:
            result = await self.bus.invoke(
                target,
                payload,
                context=context_of(cmd),
                timeout=float(cmd.get("timeout_ms", 8000)) / 1000,
                metadata=cmd.get("metadata"),
            )
            return {"result": result}
        except AcpError as err:
            return {"error": wire_error(err)}

    async def run_invoke(self, payload: Any, ctx: HandlerContext, marker: str | None) -> Any:
        p = payload if isinstance(payload, dict) else {}
        do = p.get("do")
        if do == "echo":
            return {
                "value": p.get("value"),
                "seen": seen_of(ctx),
                "by": self.name,
                "marker": marker,
            }
        if do == "return":
            return p.get("value")
        if do == "raise":
            raise AcpError(p["code"], p["message"], retryable=bool(p.get("retryable")))
        if do == "raise_plain":
            raise RuntimeError(p["message"])
        if do == "call":
            # No explicit context: what the nested call carries is what the bus propagates.
            if p.get("kind") == "stream":
                inner = await self.stream_answer(p["target"], p.get("payload"), {})
            else:
                inner = await self.invoke_answer(p["target"], p.get("payload"), {})
            return {"by": self.name, "seen": seen_of(ctx), "inner": inner}
        raise RuntimeError(f"py peer: unknown invoke instruction {do!r}")

    async def run_stream(self, payload: Any, w: StreamWriter, ctx: HandlerContext) -> Any:
        p = payload if isinstance(payload, dict) else {}
        do = p.get("do")
        if do == "story":
            words = p["words"]
            await w.started({"by": self.name})
            for word in words:
                await w.delta(word)
            return {"count": len(words), "seen": seen_of(ctx)}
        if do == "fail":
            await w.started({"by": self.name})
            await w.delta("partial")
            raise AcpError(p["code"], p["message"], retryable=bool(p.get("retryable")))
        if do == "endless":
            written = 0
            try:
                while written < ENDLESS_MAX and not w.canceled:
                    await w.delta(str(written))
                    written += 1
                    await asyncio.sleep(ENDLESS_PAUSE_S)
            except asyncio.CancelledError:
                emit(
                    {
                        "event": "stream_end",
                        "tag": p.get("tag"),
                        "how": "canceled",
                        "written": written,
                    }
                )
                raise
            how = "canceled" if w.canceled else "finished"
            emit({"event": "stream_end", "tag": p.get("tag"), "how": how, "written": written})
            return None
        if do == "silent":
            # Writes nothing: only an early cancel (the client gave up before any frame) stops it.
            try:
                await asyncio.wait_for(w.cancel_event.wait(), SILENT_MAX_S)
                how = "canceled"
            except TimeoutError:
                how = "finished"
            except asyncio.CancelledError:
                emit({"event": "stream_end", "tag": p.get("tag"), "how": "canceled", "written": 0})
                raise
            emit({"event": "stream_end", "tag": p.get("tag"), "how": how, "written": 0})
            return None
        raise RuntimeError(f"py peer: unknown stream instruction {do!r}")

    async def op_serve(self, cmd: dict[str, Any]) -> dict[str, Any]:
        tenant = cmd.get("tenant")
        marker = cmd.get("marker")
        if cmd["kind"] == "stream":
            await self.bus.handle_stream(cmd["target"], self.run_stream, tenant=tenant)
        else:

            async def handler(payload: Any, ctx: HandlerContext) -> Any:
                return await self.run_invoke(payload, ctx, marker)

            await self.bus.handle_invoke(cmd["target"], handler, tenant=tenant)
        await self.bus.transport.flush()
        return {}

    async def op_subscribe(self, cmd: dict[str, Any]) -> dict[str, Any]:
        name = cmd["name"]

        async def on_event(payload: Any, ctx: HandlerContext) -> None:
            emit({"event": "received", "sub": name, "payload": payload, "seen": seen_of(ctx)})

        await self.bus.subscribe(
            cmd["event_type"], on_event, queue=cmd.get("queue"), tenant=cmd.get("tenant")
        )
        await self.bus.transport.flush()
        return {}

    async def op_invoke(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return await self.invoke_answer(cmd["target"], cmd.get("payload"), cmd)

    async def op_stream(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return await self.stream_answer(cmd["target"], cmd.get("payload"), cmd)

    async def stream_answer(self, target: str, payload: Any, cmd: dict[str, Any]) -> dict[str, Any]:
        frames: list[dict[str, Any]] = []
        cancel_after = cmd.get("cancel_after")
        deltas = 0
        try:
            async with self.bus.stream_invoke(
                target,
                payload,
                context=context_of(cmd),
                timeout=float(cmd.get("timeout_ms", 8000)) / 1000,
            ) as call:
                async for f in call:
                    seq = f.envelope.seq or 0
                    if isinstance(f, Started):
                        frames.append({"type": "started", "seq": seq, "meta": f.meta})
                    elif isinstance(f, Delta):
                        text = f.delta if f.delta is not None else f.data
                        frames.append({"type": "delta", "seq": seq, "delta": text})
                        deltas += 1
                        if cancel_after is not None and deltas >= cancel_after:
                            break
                    elif isinstance(f, Final):
                        frames.append({"type": "final", "seq": seq, "result": f.result})
            return {"frames": frames}
        except AcpError as err:
            return {"frames": frames, "error": wire_error(err)}

    async def op_publish(self, cmd: dict[str, Any]) -> dict[str, Any]:
        await self.bus.publish(
            cmd["event_type"],
            cmd.get("payload"),
            context=context_of(cmd),
            metadata=cmd.get("metadata"),
        )
        await self.bus.transport.flush()
        return {}

    async def op_flush(self, cmd: dict[str, Any]) -> dict[str, Any]:
        await self.bus.transport.flush()
        return {}

    async def op_close(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.done.set()
        return {}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nats", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--schema-version", type=int, default=2)
    args = ap.parse_args()
    bus = Bus(
        await NatsTransport.connect(args.nats),
        agent_id=args.name,
        owns_transport=True,
        schema_version=args.schema_version,
    )
    emit({"event": "ready", "peer": args.name, "sdk": "openagentio.runtime (generated/python)"})
    peer = Peer(bus, args.name)
    await serve(peer, peer.bus.close)


if __name__ == "__main__":
    asyncio.run(main())

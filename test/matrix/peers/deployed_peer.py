"""The DEPLOYED OpenAgentIO Python SDK (openagentio==0.3.0 from PyPI, .venv-peer) as a matrix peer.

    python deployed_peer.py --nats nats://127.0.0.1:PORT --name py03

Speaks the line protocol of test/matrix/README.md on stdin/stdout with public SDK calls only
(Bus, NATSDriver, Envelope, StreamWriter, BusError), so what the other peers see is what a
deployed agent sends. A deployed Bus serves one tenant, so there is one Bus per tenant, all on
one NATS connection; every Bus has WithSessionPropagation(True), the SDK's best setting for a
handler that calls on (it is opt-in in 0.3.0).

Where 0.3.0 has no such feature the peer does what a deployed user can do, and the matrix
asserts the outcome: `stream` with cancel_after closes the Stream (0.3.0 sends no
agent.stream.cancel); an invoke nobody serves times out (0.3.0 sends no NATS reply subject, so
it never hears "no responders").
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from line_protocol import app_metadata, emit, serve
from openagentio import (
    Bus,
    BusError,
    Envelope,
    MessageReceived,
    NATSDriver,
    RawMessage,
    StreamWriter,
    WithAgentID,
    WithDefaultTimeout,
    WithSessionPropagation,
    WithTenant,
    WithTimeout,
    WithTransport,
)
from openagentio.bus.stream import ErrIdleTimeout

ENDLESS_MAX = 600
ENDLESS_PAUSE_S = 0.005
SILENT_MAX_S = 4.0
CONTEXT_FIELDS = ("session_id", "conversation_id", "channel", "user_id", "traceparent")


def seen_of(env: Envelope) -> dict[str, Any]:
    def s(v: str) -> str | None:
        return v if v else None

    return {
        "from": s(env.from_),
        "session_id": s(env.session_id),
        "conversation_id": s(env.conversation_id),
        "channel": s(env.channel),
        "tenant_id": s(env.tenant_id),
        "user_id": s(env.user_id),
        "traceparent": s(env.traceparent),
        "schema_version": env.schema_version,
        # 0.3.0's Envelope has no phase field: a v2 request's phase is dropped when decoded
        "phase": getattr(env, "phase", None),
        "metadata": app_metadata(env.metadata),
    }


def error_of_reply(reply: Envelope) -> dict[str, Any]:
    p = reply.payload_json() or {}
    return {
        "code": p.get("code", ""),
        "message": p.get("message", ""),
        "retryable": bool(p.get("retryable", False)),
    }


def local_error(err: BaseException) -> dict[str, Any]:
    """What a deployed caller gets instead of a reply: a timeout (no responders is not heard), or
    another exception of the SDK or nats-py."""
    if isinstance(err, BusError):
        return {"code": err.code, "message": err.message, "retryable": err.retryable}
    if isinstance(err, (asyncio.TimeoutError, ErrIdleTimeout)):
        return {"code": "AGENT_TIMEOUT", "message": str(err) or "timeout", "retryable": True}
    if isinstance(err, Exception):
        # Anything else the SDK raised (e.g. nats-py's MaxPayloadError): its class name.
        return {"code": f"EXCEPTION:{type(err).__name__}", "message": str(err), "retryable": False}
    raise err


def frame_of(env: Envelope) -> dict[str, Any]:
    """A frame as a deployed consumer reads it: the v2 object shapes ({meta}, {delta}) unwrapped,
    bare v1 payloads as they are; finals are the bare value in both versions."""
    p = env.payload_json()
    if env.event_type == "agent.response.started":
        meta = p.get("meta") if isinstance(p, dict) and "meta" in p else p
        return {"type": "started", "seq": env.seq, "meta": meta}
    if env.event_type == "agent.response.delta":
        text = p.get("delta") if isinstance(p, dict) and "delta" in p else p
        return {"type": "delta", "seq": env.seq, "delta": text}
    if env.event_type == "agent.response.final":
        return {"type": "final", "seq": env.seq, "result": p}
    return {"type": env.event_type, "seq": env.seq, "payload": p}


class Peer:
    def __init__(self, url: str, name: str) -> None:
        self.driver = NATSDriver(url=url, name=f"matrix-deployed:{name}")
        self.name = name
        self.buses: dict[str, Bus] = {}
        self.done = asyncio.Event()

    async def bus(self, tenant: str | None) -> Bus:
        key = tenant or ""
        found = self.buses.get(key)
        if found is None:
            found = Bus.new(
                WithAgentID(self.name),
                WithTransport(self.driver),
                WithTenant(key),
                WithDefaultTimeout(10.0),
                WithSessionPropagation(True),
            )
            await found.connect()
            self.buses[key] = found
        return found

    async def barrier(self) -> None:
        """Returns once what this connection sent before (SUBs included) is at the server: a
        message to our own inbox travels after them (NATSDriver.flush() alone may not)."""
        inbox = await self.driver.open_inbox()
        try:
            await self.driver.publish(RawMessage(subject=inbox.subject, data=b"barrier"))
            await inbox.recv(timeout=5.0)
        finally:
            await inbox.close()

    def request(self, cmd: dict[str, Any], payload: Any) -> Any:
        """The bare payload, or (with `context` or `metadata`) an Envelope the SDK completes
        (from, to, tenant)."""
        ctx = cmd.get("context") or {}
        if not ctx and not cmd.get("metadata"):
            return payload
        env = Envelope.new(MessageReceived)
        env.metadata = cmd.get("metadata")
        for key, value in ctx.items():
            if key not in CONTEXT_FIELDS:
                raise ValueError(f"deployed peer: unknown context field {key!r}")
            setattr(env, key, value)
        if payload is not None:
            env.payload = json.dumps(payload, separators=(",", ":")).encode()
        return env

    async def invoke_answer(
        self, bus: Bus, target: str, payload: Any, timeout: float
    ) -> dict[str, Any]:
        try:
            reply = await bus.invoke(target, payload, WithTimeout(timeout))
        except BaseException as err:  # noqa: BLE001
            return {"error": local_error(err)}
        if reply.event_type == "agent.response.error":
            return {"error": error_of_reply(reply)}
        return {"result": reply.payload_json()}

    async def run_invoke(self, bus: Bus, req: Envelope, marker: str | None) -> Any:
        p = req.payload_json() or {}
        do = p.get("do")
        if do == "echo":
            return {
                "value": p.get("value"),
                "seen": seen_of(req),
                "by": self.name,
                "marker": marker,
            }
        if do == "return":
            return p.get("value")
        if do == "raise":
            raise BusError(p["code"], p["message"], bool(p.get("retryable")))
        if do == "raise_plain":
            raise RuntimeError(p["message"])
        if do == "call":
            # On the handling bus, no explicit context: what the SDK propagates.
            if p.get("kind") == "stream":
                inner = await self.stream_answer(bus, p["target"], p.get("payload"), {})
            else:
                inner = await self.invoke_answer(bus, p["target"], p.get("payload"), 8.0)
            return {"by": self.name, "seen": seen_of(req), "inner": inner}
        raise RuntimeError(f"deployed peer: unknown invoke instruction {do!r}")

    async def run_stream(self, req: Envelope, w: StreamWriter) -> None:
        p = req.payload_json() or {}
        do = p.get("do")
        if do == "story":
            words = p["words"]
            await w.started({"by": self.name})
            for word in words:
                await w.delta(word)
            await w.final({"count": len(words), "seen": seen_of(req)})
            return
        if do == "fail":
            await w.started({"by": self.name})
            await w.delta("partial")
            raise BusError(p["code"], p["message"], bool(p.get("retryable")))
        if do == "endless":
            written = 0
            # 0.3.0's writer has no cancel signal: the handler cannot stop early.
            while written < ENDLESS_MAX:
                await w.delta(str(written))
                written += 1
                await asyncio.sleep(ENDLESS_PAUSE_S)
            emit(
                {"event": "stream_end", "tag": p.get("tag"), "how": "finished", "written": written}
            )
            return
        if do == "silent":
            # 0.3.0 has no cancel signal: the handler waits its whole time.
            await asyncio.sleep(SILENT_MAX_S)
            emit({"event": "stream_end", "tag": p.get("tag"), "how": "finished", "written": 0})
            return
        raise RuntimeError(f"deployed peer: unknown stream instruction {do!r}")

    async def op_serve(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("tenant"))
        marker = cmd.get("marker")
        if cmd["kind"] == "stream":

            async def on_stream(req: Envelope, w: StreamWriter) -> None:
                await self.run_stream(req, w)

            await bus.handle_stream(cmd["target"], on_stream)
        else:

            async def on_invoke(req: Envelope) -> Any:
                return await self.run_invoke(bus, req, marker)

            await bus.handle_invoke(cmd["target"], on_invoke)
        await self.barrier()
        return {}

    async def op_subscribe(self, cmd: dict[str, Any]) -> dict[str, Any]:
        from openagentio import WithQueue

        bus = await self.bus(cmd.get("tenant"))
        name = cmd["name"]

        async def on_event(env: Envelope) -> None:
            emit(
                {
                    "event": "received",
                    "sub": name,
                    "payload": env.payload_json(),
                    "seen": seen_of(env),
                }
            )

        opts = [WithQueue(cmd["queue"])] if "queue" in cmd else []
        await bus.subscribe(cmd["event_type"], on_event, *opts)
        await self.barrier()
        return {}

    async def op_invoke(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("tenant"))
        payload = self.request(cmd, cmd.get("payload"))
        return await self.invoke_answer(
            bus, cmd["target"], payload, float(cmd.get("timeout_ms", 8000)) / 1000
        )

    async def op_stream(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("tenant"))
        return await self.stream_answer(
            bus, cmd["target"], self.request(cmd, cmd.get("payload")), cmd
        )

    async def stream_answer(
        self, bus: Bus, target: str, payload: Any, cmd: dict[str, Any]
    ) -> dict[str, Any]:
        frames: list[dict[str, Any]] = []
        cancel_after = cmd.get("cancel_after")
        deltas = 0
        timeout = float(cmd.get("timeout_ms", 8000)) / 1000
        try:
            stream = await bus.stream_invoke(target, payload, WithTimeout(timeout))
        except BaseException as err:  # noqa: BLE001
            return {"frames": frames, "error": local_error(err)}
        try:
            async for env in stream:
                if env.event_type == "agent.response.error":
                    return {"frames": frames, "error": error_of_reply(env)}
                frame = frame_of(env)
                frames.append(frame)
                if frame["type"] == "delta":
                    deltas += 1
                    if cancel_after is not None and deltas >= cancel_after:
                        break
        except BaseException as err:  # noqa: BLE001
            return {"frames": frames, "error": local_error(err)}
        finally:
            # 0.3.0: closes the inbox; nothing is sent to the server
            await stream.close()
        return {"frames": frames}

    async def op_publish(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("tenant"))
        env = Envelope.new(cmd["event_type"])
        env.from_ = self.name
        env.metadata = cmd.get("metadata")
        for key, value in (cmd.get("context") or {}).items():
            if key not in CONTEXT_FIELDS:
                raise ValueError(f"deployed peer: unknown context field {key!r}")
            setattr(env, key, value)
        if cmd.get("payload") is not None:
            env.payload = json.dumps(cmd["payload"], separators=(",", ":")).encode()
        await bus.publish(env)  # tenant: the bus's (one Bus per tenant)
        await self.barrier()
        return {}

    async def op_flush(self, cmd: dict[str, Any]) -> dict[str, Any]:
        await self.barrier()
        return {}

    async def op_close(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.done.set()
        return {}

    async def close(self) -> None:
        for b in list(self.buses.values()):
            await b.close()
        await self.driver.close()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nats", required=True)
    ap.add_argument("--name", required=True)
    args = ap.parse_args()
    peer = Peer(args.nats, args.name)
    await peer.driver.connect()
    emit({"event": "ready", "peer": args.name, "sdk": "openagentio==0.3.0 (PyPI)"})
    await serve(peer, peer.close)


if __name__ == "__main__":
    asyncio.run(main())

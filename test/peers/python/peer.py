"""A peer built on the DEPLOYED OpenAgentIO Python SDK (openagentio==0.3.0 from PyPI, installed
by scripts/peer-env.sh into .venv-peer/), driven by test/peers/*.test.ts over stdin/stdout.

    python peer.py --nats nats://127.0.0.1:PORT --agent-id py-peer

stdin:  one JSON command per line, {"id": n, "op": "...", ...}; commands run concurrently.
stdout: one JSON line per answer, {"id": n, "ok": true, ...} or {"id": n, "ok": false,
        "error_type": "...", "error": "..."}, and one per observation, {"event": "...", ...}.
        The first line is {"event": "ready"} once connected.
EOF on stdin or {"op": "close"} closes every bus and exits 0.

Only public SDK calls are used (Bus, NATSDriver, Envelope, StreamWriter, BusError), so what the
TypeScript side sees is what a deployed agent sends. Ops:

  handle     {target, kind: "invoke"|"stream", tenant?, agent?, queue?, propagate?}  a generic
             handler (propagate: its bus has WithSessionPropagation(True)); the
             request payload says what to do (below); every request is reported as
             {"event": "handled", "agent", "tenant", "target", "envelope": <request>}
  subscribe  {name, event_type, tenant?, agent?, queue?}  reports
             {"event": "received", "sub": name, "agent", "envelope": <event>}
  invoke     {target, payload?, tenant?, agent?, context?, timeout?}  -> {"envelope": <reply>}
  stream     {target, payload?, tenant?, agent?, context?, timeout?}  -> {"frames": [<frame>...]}
  publish    {event_type, payload?, tenant?, agent?, context?}
  flush      {}  what the peer sent before (subscriptions, publishes) is at the server
  http       {agent?, tenant?}  serves the SDK's HTTP adapter (openagentio.HTTPNew over that
             bus) with uvicorn on 127.0.0.1, a free port -> {"url": "http://127.0.0.1:PORT"}
  close      {}

Invoke handler payloads: {"do": "return", "value": v} returns v (null: returns None);
{"do": "envelope"} returns the request envelope as a dict; {"do": "raise", "code", "message",
"retryable"} raises BusError; {"do": "raise_plain", "message"} raises RuntimeError;
{"do": "raise_timeout"} raises asyncio.TimeoutError; {"do": "raise_class", "cls", "message"} raises
the SDK's error class of that name (e.g. AgentUnavailableError) with its default retryable;
{"do": "call", "target", "payload", "kind"?} invokes (or, kind "stream", streams) from inside
the handler and returns {"reply": <reply>} or {"frames": [<frame>...]}.
Stream handler payload: {"do": "stream", "steps": [[op, *args], ...]} with op one of
"started" (0 or 1 arg), "delta" (1 arg), "final" (0 or 1 arg), "error" (code, message,
retryable), "raise_plain" (message), "return" (returns without a terminal frame).
`context` sets envelope fields on the request/event: session_id, conversation_id, tenant_id,
user_id, channel, trace_id, span_id, traceparent, metadata.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import openagentio
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
    WithHandleQueue,
    WithQueue,
    WithSessionPropagation,
    WithTenant,
    WithTimeout,
    WithTransport,
)

CONTEXT_FIELDS = (
    "session_id",
    "conversation_id",
    "tenant_id",
    "user_id",
    "channel",
    "trace_id",
    "span_id",
    "traceparent",
)


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class Peer:
    def __init__(self, url: str, agent_id: str) -> None:
        self.driver = NATSDriver(url=url, name=f"deployed-python-peer:{agent_id}")
        self.agent_id = agent_id
        # One Bus per (agent id, tenant, propagation): a deployed Bus serves exactly one
        # tenant. All share the one NATS connection, like several agents in one process.
        self.buses: dict[tuple[str, str, bool], Bus] = {}
        self.done = asyncio.Event()
        self.servers: list[tuple[Any, asyncio.Task[None]]] = []

    async def bus(
        self, agent: str | None, tenant: str | None, propagate: bool = False
    ) -> Bus:
        key = (agent or self.agent_id, tenant or "", propagate)
        found = self.buses.get(key)
        if found is None:
            opts = [
                WithAgentID(key[0]),
                WithTransport(self.driver),
                WithTenant(key[1]),
                WithDefaultTimeout(10.0),
            ]
            if propagate:
                opts.append(WithSessionPropagation(True))
            found = Bus.new(*opts)
            await found.connect()
            self.buses[key] = found
        return found

    async def barrier(self) -> None:
        """Returns once everything this connection sent before (SUBs included) is at the server.

        NATSDriver.flush() is not enough: nats-py (2.16.0 and earlier) writes flush()'s PING
        straight to the socket while a SUB still waits in its pending buffer for the flusher
        task (nats/aio/client.py _send_ping vs _send_subscribe), so the PONG can come back
        before the server has the subscription. A message to our own inbox travels through
        the same buffer, after the SUBs: once it is back, they are in place.
        """
        inbox = await self.driver.open_inbox()
        try:
            await self.driver.publish(
                RawMessage(subject=inbox.subject, data=b"barrier")
            )
            await inbox.recv(timeout=5.0)
        finally:
            await inbox.close()

    async def op_http(self, cmd: dict[str, Any]) -> dict[str, Any]:
        import uvicorn  # only this op needs the HTTP extras

        bus = await self.bus(cmd.get("agent"), cmd.get("tenant"))
        adapter = openagentio.HTTPNew(bus)
        config = uvicorn.Config(
            adapter.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        self.servers.append((server, task))
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if not server.started:
            raise RuntimeError("peer: uvicorn did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        return {"url": f"http://127.0.0.1:{port}"}

    async def close(self) -> None:
        for server, task in self.servers:
            server.should_exit = True
            await task
        for b in list(self.buses.values()):
            await b.close()
        await self.driver.close()

    # --- handlers -----------------------------------------------------------------------

    async def op_handle(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(
            cmd.get("agent"), cmd.get("tenant"), bool(cmd.get("propagate"))
        )
        target = cmd["target"]
        opts = [WithHandleQueue(cmd["queue"])] if "queue" in cmd else []
        meta = {
            "agent": bus.agent_id,
            "tenant": cmd.get("tenant") or "",
            "target": target,
        }

        if cmd["kind"] == "invoke":

            async def on_invoke(req: Envelope) -> Any:
                emit({"event": "handled", **meta, "envelope": req.to_dict()})
                return await self.run_invoke(bus, req)

            await bus.handle_invoke(target, on_invoke, *opts)
        else:

            async def on_stream(req: Envelope, writer: StreamWriter) -> None:
                emit({"event": "handled", **meta, "envelope": req.to_dict()})
                await self.run_stream(req, writer)

            await bus.handle_stream(target, on_stream, *opts)
        await self.barrier()
        return {}

    async def run_invoke(self, bus: Bus, req: Envelope) -> Any:
        p = req.payload_json() or {}
        do = p.get("do")
        if do == "return":
            return p.get("value")
        if do == "envelope":
            return req.to_dict()
        if do == "raise":
            raise BusError(
                p["code"], p.get("message", ""), bool(p.get("retryable", False))
            )
        if do == "raise_plain":
            raise RuntimeError(p.get("message", ""))
        if do == "raise_timeout":
            raise asyncio.TimeoutError()  # noqa: UP041 - the name bus/errors.py error_code_for checks
        if do == "raise_class":
            # One of the SDK's own error classes, with its default retryable flag.
            raise getattr(openagentio, p["cls"])(p.get("message", "from class"))
        if do == "call":
            # A nested call made while handling `req`, on the same bus (deployed propagation
            # is opt-in and off by default: nothing is inherited unless given).
            if p.get("kind") == "stream":
                return {
                    "frames": await collect(
                        await bus.stream_invoke(
                            p["target"], p.get("payload"), WithTimeout(8.0)
                        )
                    )
                }
            reply = await bus.invoke(p["target"], p.get("payload"), WithTimeout(8.0))
            return {"reply": reply.to_dict()}
        raise RuntimeError(f"peer: unknown invoke instruction {do!r}")

    async def run_stream(self, req: Envelope, writer: StreamWriter) -> None:
        p = req.payload_json() or {}
        for step in p.get("steps", []):
            op, args = step[0], step[1:]
            if op == "started":
                await writer.started(*args)
            elif op == "delta":
                await writer.delta(*args)
            elif op == "final":
                await writer.final(*args)
            elif op == "error":
                await writer.error(
                    BusError(
                        args[0], args[1], bool(args[2]) if len(args) > 2 else False
                    )
                )
            elif op == "raise_plain":
                raise RuntimeError(args[0])
            elif op == "return":
                return
            else:
                raise RuntimeError(f"peer: unknown stream step {op!r}")

    async def op_subscribe(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("agent"), cmd.get("tenant"))
        name = cmd["name"]

        async def on_event(env: Envelope) -> None:
            emit(
                {
                    "event": "received",
                    "sub": name,
                    "agent": bus.agent_id,
                    "envelope": env.to_dict(),
                }
            )

        opts = [WithQueue(cmd["queue"])] if "queue" in cmd else []
        await bus.subscribe(cmd["event_type"], on_event, *opts)
        await self.barrier()
        return {}

    # --- clients ------------------------------------------------------------------------

    async def op_invoke(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("agent"), cmd.get("tenant"))
        reply = await bus.invoke(
            cmd["target"],
            request_payload(cmd),
            WithTimeout(float(cmd.get("timeout", 8.0))),
        )
        return {"envelope": reply.to_dict()}

    async def op_stream(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("agent"), cmd.get("tenant"))
        stream = await bus.stream_invoke(
            cmd["target"],
            request_payload(cmd),
            WithTimeout(float(cmd.get("timeout", 8.0))),
        )
        return {"frames": await collect(stream)}

    async def op_publish(self, cmd: dict[str, Any]) -> dict[str, Any]:
        bus = await self.bus(cmd.get("agent"), cmd.get("tenant"))
        env = Envelope.new(cmd["event_type"])
        env.from_ = bus.agent_id
        apply_context(env, cmd.get("context"))
        if cmd.get("payload") is not None:
            env.payload = json.dumps(cmd["payload"], separators=(",", ":")).encode()
        await bus.publish(env)
        await self.barrier()
        return {"envelope": env.to_dict()}

    async def op_flush(self, cmd: dict[str, Any]) -> dict[str, Any]:
        await self.barrier()
        return {}

    async def op_close(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.done.set()
        return {}


async def collect(stream: Any) -> list[dict[str, Any]]:
    frames = []
    try:
        async for env in stream:
            frames.append(env.to_dict())
    finally:
        await stream.close()
    return frames


def apply_context(env: Envelope, ctx: dict[str, Any] | None) -> None:
    for key, value in (ctx or {}).items():
        if key in CONTEXT_FIELDS:
            setattr(env, key, value)
        elif key == "metadata":
            env.metadata = value
        else:
            raise ValueError(f"peer: unknown context field {key!r}")


def request_payload(cmd: dict[str, Any]) -> Any:
    """The bare payload, or (with `context`) an Envelope the SDK completes (from, to, tenant)."""
    if "context" not in cmd:
        return cmd.get("payload")
    env = Envelope.new(MessageReceived)
    apply_context(env, cmd["context"])
    if cmd.get("payload") is not None:
        env.payload = json.dumps(cmd["payload"], separators=(",", ":")).encode()
    return env


async def serve(peer: Peer) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 22)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    tasks: set[asyncio.Task[None]] = set()

    async def run(cmd: dict[str, Any]) -> None:
        try:
            answer = await getattr(peer, "op_" + cmd["op"])(cmd)
            emit({"id": cmd["id"], "ok": True, **answer})
        except BaseException as e:  # noqa: BLE001 - every failure is an answer
            emit(
                {
                    "id": cmd.get("id"),
                    "ok": False,
                    "error_type": type(e).__name__,
                    "error": str(e),
                }
            )

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
    await peer.close()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nats", required=True)
    ap.add_argument("--agent-id", default="py-peer")
    args = ap.parse_args()
    peer = Peer(args.nats, args.agent_id)
    await peer.driver.connect()
    emit({"event": "ready"})
    await serve(peer)


if __name__ == "__main__":
    asyncio.run(main())

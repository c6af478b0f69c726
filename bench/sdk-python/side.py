"""One side of bench/sdk-python.ts: a server or a client process of one contender.

    python side.py --sdk ours|deployed|raw --role server|client --nats nats://127.0.0.1:PORT

- ours:     openagentio.runtime.Bus over NatsTransport (the generated SDK; run with .venv and
            PYTHONPATH=generated/python/src)
- deployed: the deployed openagentio==0.3.0 SDK (Bus + NATSDriver; run with .venv-peer)
- raw:      nats-py alone moving the same envelope bytes: pre-encoded request, reply and frame
            envelopes (no per-message work)

Every contender serves `bench` (invoke: returns RESULT) and `frames` (stream: n deltas "tok ",
then a final) under its own subject prefix, so the three never see each other's traffic.

server: prints {"ready": true}, serves until stdin closes.
client: prints {"ready": true}, then reads one JSON command per line and answers one JSON line:
  {"op": "latency", "calls": n}                    -> {"p50_us", "p99_us"} (one call at a time)
  {"op": "throughput", "calls": n, "in_flight": k} -> {"per_s"}
  {"op": "stream", "frames": n}                    -> {"per_s"} (deltas + final per second)
  {"op": "publish", "count": n}                    -> {"per_s"} (awaited publishes, then flush)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

REQUEST = {"question": "What is my balance?", "account": "ACC-1042"}
RESULT = {"balance": 1042.5, "currency": "EUR"}
EVENT = {"task_id": "t-1", "status": "submitted"}
CORRELATION = "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41"


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Contender:
    """What each SDK implements: serving, and the four client operations."""

    async def serve(self) -> None: ...
    async def invoke(self) -> None: ...
    async def stream(self, n: int) -> int: ...
    async def publish(self) -> None: ...
    async def flush(self) -> None: ...
    async def close(self) -> None: ...


# ----- ours: openagentio.runtime ----------------------------------------------------------


class Ours(Contender):
    @classmethod
    async def create(cls, url: str, role: str) -> Ours:
        from openagentio.runtime import Bus
        from openagentio.runtime.nats import NatsTransport

        self = cls()
        self.transport = await NatsTransport.connect(url)
        self.bus = Bus(self.transport, agent_id=f"bench-{role}", prefix="ours.v1", owns_transport=True)
        return self

    async def serve(self) -> None:
        async def on_invoke(payload: Any, ctx: Any) -> Any:
            return RESULT

        async def on_stream(n: Any, w: Any, ctx: Any) -> None:
            for _ in range(n):
                await w.delta("tok ")
            await w.final(n)

        await self.bus.handle_invoke("bench", on_invoke)
        await self.bus.handle_stream("frames", on_stream)
        await self.transport.flush()

    async def invoke(self) -> None:
        await self.bus.invoke("bench", REQUEST, timeout=30.0)

    async def stream(self, n: int) -> int:
        from openagentio.runtime.frames import Delta, Final

        frames = 0
        async with self.bus.stream_invoke("frames", n, timeout=120.0) as call:
            async for f in call:
                if isinstance(f, (Delta, Final)):
                    frames += 1
        return frames

    async def publish(self) -> None:
        await self.bus.publish("agent.task.created", EVENT)

    async def flush(self) -> None:
        await self.transport.flush()

    async def close(self) -> None:
        await self.bus.close()


# ----- deployed: openagentio==0.3.0 ---------------------------------------------------------


class Deployed(Contender):
    @classmethod
    async def create(cls, url: str, role: str) -> Deployed:
        import openagentio as oa

        self = cls()
        self.oa = oa
        self.driver = oa.NATSDriver(url=url, name=f"bench-deployed-{role}")
        self.bus = oa.Bus.new(
            oa.WithAgentID(f"bench-{role}"),
            oa.WithTransport(self.driver),
            oa.WithSubjectPrefix("deployed.v1"),
            oa.WithDefaultTimeout(30.0),
        )
        await self.bus.connect()
        return self

    async def serve(self) -> None:
        async def on_invoke(req: Any) -> Any:
            req.payload_json()  # a handler reads its request
            return RESULT

        async def on_stream(req: Any, w: Any) -> None:
            n = req.payload_json()
            for _ in range(n):
                await w.delta("tok ")
            await w.final(n)

        await self.bus.handle_invoke("bench", on_invoke)
        await self.bus.handle_stream("frames", on_stream)
        await self.driver.flush()

    async def invoke(self) -> None:
        reply = await self.bus.invoke("bench", REQUEST, self.oa.WithTimeout(30.0))
        reply.payload_json()  # the caller reads the result

    async def stream(self, n: int) -> int:
        stream = await self.bus.stream_invoke("frames", n, self.oa.WithTimeout(120.0))
        frames = 0
        try:
            async for env in stream:
                env.payload_json()
                if env.event_type in ("agent.response.delta", "agent.response.final"):
                    frames += 1
        finally:
            await stream.close()
        return frames

    async def publish(self) -> None:
        env = self.oa.Envelope.new("agent.task.created")
        env.from_ = self.bus.agent_id
        env.payload = json.dumps(EVENT, separators=(",", ":")).encode()
        await self.bus.publish(env)

    async def flush(self) -> None:
        await self.driver.flush()

    async def close(self) -> None:
        await self.bus.close()


# ----- raw nats-py: the same envelope bytes -------------------------------------------------


def _envelope(event_type: str, **fields: Any) -> bytes:
    env = {
        "spec_version": "acp/1.0",
        "schema_version": 2,
        "event_id": "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e42",
        "event_type": event_type,
        "occurred_at": "2026-12-03T10:00:00.000000Z",
        **fields,
    }
    return json.dumps(env, separators=(",", ":")).encode()


class Raw(Contender):
    REQUEST_BYTES = _envelope(
        "agent.message.received", phase="submitted", payload=REQUEST, **{"from": "bench-client", "to": "bench"}
    )
    REPLY_BYTES = _envelope(
        "agent.response.final",
        phase="completed",
        frame_type="final",
        correlation_id=CORRELATION,
        is_final=True,
        payload=RESULT,
        **{"from": "bench", "to": "bench-client"},
    )
    DELTA_BYTES = _envelope(
        "agent.response.delta",
        phase="working",
        frame_type="delta",
        correlation_id=CORRELATION,
        seq=1,
        payload={"delta": "tok "},
        **{"from": "bench", "to": "bench-client"},
    )
    EVENT_BYTES = _envelope("agent.task.created", phase="submitted", payload=EVENT, **{"from": "bench-client"})

    @classmethod
    async def create(cls, url: str, role: str) -> Raw:
        import nats

        self = cls()
        self.nc = await nats.connect(url, name=f"bench-raw-{role}")
        return self

    async def serve(self) -> None:
        async def on_invoke(msg: Any) -> None:
            await msg.respond(self.REPLY_BYTES)

        async def on_stream(msg: Any) -> None:
            n = int(msg.data)
            for _ in range(n):
                await self.nc.publish(msg.reply, self.DELTA_BYTES)
            await self.nc.publish(msg.reply, self.REPLY_BYTES)

        await self.nc.subscribe("raw.v1.invoke.bench", queue="bench", cb=on_invoke)
        await self.nc.subscribe("raw.v1.invoke.frames", queue="frames", cb=on_stream)
        await self.nc.flush()

    async def invoke(self) -> None:
        await self.nc.request("raw.v1.invoke.bench", self.REQUEST_BYTES, timeout=30.0)

    async def stream(self, n: int) -> int:
        inbox = self.nc.new_inbox()
        done = asyncio.get_running_loop().create_future()
        count = 0

        async def cb(msg: Any) -> None:
            nonlocal count
            count += 1
            if count == n + 1 and not done.done():
                done.set_result(None)

        sub = await self.nc.subscribe(inbox, cb=cb, pending_msgs_limit=n + 16)
        await self.nc.publish("raw.v1.invoke.frames", str(n).encode(), reply=inbox)
        await asyncio.wait_for(done, 120.0)
        await sub.unsubscribe()
        return count

    async def publish(self) -> None:
        await self.nc.publish("raw.v1.events.agent.task.created", self.EVENT_BYTES)

    async def flush(self) -> None:
        await self.nc.flush()

    async def close(self) -> None:
        await self.nc.drain()


CONTENDERS: dict[str, Any] = {"ours": Ours, "deployed": Deployed, "raw": Raw}


# ----- the client's operations --------------------------------------------------------------


async def latency(c: Contender, calls: int) -> dict[str, float]:
    out: list[float] = []
    clock = time.perf_counter
    for _ in range(calls):
        t0 = clock()
        await c.invoke()
        out.append((clock() - t0) * 1e6)
    out.sort()
    return {"p50_us": out[len(out) // 2], "p99_us": out[min(len(out) - 1, int(0.99 * len(out)))]}


async def throughput(c: Contender, calls: int, in_flight: int) -> dict[str, float]:
    started = 0

    async def worker() -> None:
        nonlocal started
        while started < calls:
            started += 1
            await c.invoke()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return {"per_s": calls / (time.perf_counter() - t0)}


async def stream(c: Contender, n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    frames = await c.stream(n)
    elapsed = time.perf_counter() - t0
    if frames != n + 1:
        raise RuntimeError(f"stream delivered {frames} frames, expected {n + 1}")
    return {"per_s": frames / elapsed}


async def publish(c: Contender, count: int) -> dict[str, float]:
    t0 = time.perf_counter()
    for _ in range(count):
        await c.publish()
    await c.flush()
    return {"per_s": count / (time.perf_counter() - t0)}


OPS: dict[str, Callable[[Contender, dict[str, Any]], Awaitable[dict[str, float]]]] = {
    "latency": lambda c, cmd: latency(c, cmd["calls"]),
    "throughput": lambda c, cmd: throughput(c, cmd["calls"], cmd["in_flight"]),
    "stream": lambda c, cmd: stream(c, cmd["frames"]),
    "publish": lambda c, cmd: publish(c, cmd["count"]),
}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdk", choices=sorted(CONTENDERS), required=True)
    ap.add_argument("--role", choices=("server", "client"), required=True)
    ap.add_argument("--nats", required=True)
    args = ap.parse_args()
    c = await CONTENDERS[args.sdk].create(args.nats, args.role)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    if args.role == "server":
        await c.serve()
    emit({"ready": True})
    while line := await reader.readline():
        cmd = json.loads(line)
        try:
            emit({"ok": True, **await OPS[cmd["op"]](c, cmd)})
        except Exception as err:  # noqa: BLE001 - every failure is an answer
            emit({"ok": False, "error": f"{type(err).__name__}: {err}"})
    await c.close()


if __name__ == "__main__":
    asyncio.run(main())

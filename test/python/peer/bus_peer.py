"""The generated Python runtime (generated/python, openagentio.runtime) as a peer of the
TypeScript bus over a real nats-server (test/python/bus-interop.test.ts).

    python bus_peer.py serve  --nats URL   handlers py.echo, py.fail, py.story, py.endless;
                                           prints {"event": "ready"}, then one JSON line per
                                           event; exits when stdin closes
    python bus_peer.py client --nats URL   calls the TypeScript handlers ts.echo, ts.fail,
                                           ts.story; prints one JSON line with the results
    python bus_peer.py hammer --nats URL   after a line on stdin, invokes its own handler
                                           every 20 ms for --seconds; prints the outcomes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from openagentio.errors import AcpError
from openagentio.runtime import (
    Bus,
    Context,
    Delta,
    Final,
    HandlerContext,
    Started,
    StreamWriter,
    context_scope,
    current_context,
)
from openagentio.runtime.nats import NatsTransport


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def seen(ctx: HandlerContext) -> dict[str, Any]:
    env = ctx.envelope
    here = current_context()
    return {
        "from": env.from_,
        "session_id": env.session_id,
        "user_id": env.user_id,
        "tenant_id": env.tenant_id,
        "traceparent": env.traceparent,
        "context_session": None if here is None else here.session_id,
        "schema_version": env.schema_version,
        "phase": None if env.phase is None else str(env.phase),
    }


async def serve(url: str) -> None:
    bus = Bus(await NatsTransport.connect(url), agent_id="py", owns_transport=True)

    async def echo(payload: Any, ctx: HandlerContext) -> Any:
        return {"payload": payload, "seen": seen(ctx)}

    async def fail(payload: Any, ctx: HandlerContext) -> Any:
        if isinstance(payload, dict) and isinstance(payload.get("code"), str):
            raise AcpError(payload["code"], str(payload["message"]), retryable=payload["retryable"])
        raise RuntimeError("plain failure")

    async def story(payload: Any, w: StreamWriter, ctx: HandlerContext) -> Any:
        await w.started({"model": "py"})
        for word in str(payload).split():
            await w.delta(word)
        return {"words": len(str(payload).split()), "seen": seen(ctx)}

    async def endless(payload: Any, w: StreamWriter, ctx: HandlerContext) -> Any:
        written = 0
        try:
            while written < 1_000_000:
                await w.delta(str(written))
                written += 1
        except asyncio.CancelledError:
            emit({"event": "canceled", "written": written, "flag": w.canceled})
            raise
        emit({"event": "finished", "written": written})
        return None

    async def note(payload: Any, ctx: HandlerContext) -> None:
        emit({"event": "got", "payload": payload, "seen": seen(ctx), "subject": ctx.subject})

    async def worker(name: str) -> Any:
        async def handler(payload: Any, ctx: HandlerContext) -> None:
            emit({"event": "work", "worker": name, "payload": payload})

        return handler

    acme = Bus(bus.transport, agent_id="py-acme", tenant="acme")

    async def tenant_echo(payload: Any, ctx: HandlerContext) -> Any:
        return {"tenant": ctx.envelope.tenant_id, "context_tenant": seen(ctx)["tenant_id"]}

    await bus.subscribe("demo.>", note)
    await bus.subscribe("jobs.run", await worker("py-1"), queue="workers")
    await bus.subscribe("jobs.run", await worker("py-2"), queue="workers")
    await acme.handle_invoke("py.tenant", tenant_echo)
    await bus.handle_invoke("py.echo", echo)
    await bus.handle_invoke("py.fail", fail)
    await bus.handle_stream("py.story", story)
    await bus.handle_stream("py.endless", endless)
    await bus.transport.flush()
    await asyncio.sleep(0.05)  # nats-server may answer "no responders" just after a SUB
    emit({"event": "ready"})
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await acme.close()
    await bus.close()


def error_of(err: AcpError) -> dict[str, Any]:
    return {"code": err.code, "message": err.message, "retryable": err.retryable}


async def client(url: str) -> None:
    out: dict[str, Any] = {}
    async with Bus(await NatsTransport.connect(url), agent_id="pyc", owns_transport=True) as bus:
        trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        start = Context(
            session_id="s-py", user_id="u-py", traceparent=f"00-{trace}-00f067aa0ba902b7-01"
        )
        with context_scope(start):
            out["echo"] = await bus.invoke("ts.echo", {"n": 1, "list": [1, "two"]})
        errors = []
        for payload in ("denied", "custom", "plain"):
            try:
                await bus.invoke("ts.fail", payload)
                errors.append(None)
            except AcpError as err:
                errors.append(error_of(err))
        out["errors"] = errors
        try:
            await bus.invoke("ts.nobody", None)
        except AcpError as err:
            out["nobody"] = error_of(err)
        frames: list[Any] = []
        async with bus.stream_invoke("ts.story", "red green blue") as call:
            async for frame in call:
                seq = frame.envelope.seq
                if isinstance(frame, Started):
                    frames.append({"type": "started", "meta": frame.meta, "seq": seq})
                elif isinstance(frame, Delta):
                    frames.append({"type": "delta", "delta": frame.delta, "seq": seq})
                elif isinstance(frame, Final):
                    frames.append({"type": "final", "result": frame.result, "seq": seq})
        out["story"] = frames
        try:
            async with bus.stream_invoke("ts.broken", None) as broken:
                async for _ in broken:
                    pass
        except AcpError as err:
            out["broken"] = error_of(err)
        async with bus.stream_invoke("ts.endless", None) as endless:
            async for _ in endless:
                break
        out["left_endless"] = True
        out["published"] = await bus.publish("demo.from_py", {"hello": "ts"}, metadata={"m": "1"})
    emit(out)


async def hammer(url: str, seconds: float) -> None:
    """Invokes a handler every 20 ms for `seconds` while the test restarts nats-server: the
    handler's connection retries every 1 s, the caller's every 50 ms."""
    server = Bus(
        await NatsTransport.connect(url, reconnect_time_wait=1.0), agent_id="hs", owns_transport=True
    )
    client = Bus(
        await NatsTransport.connect(url, reconnect_time_wait=0.05), agent_id="hc", owns_transport=True
    )

    async def answer(payload: Any, ctx: HandlerContext) -> Any:
        return payload

    await server.handle_invoke("py.h", answer)
    await server.transport.flush()
    await asyncio.sleep(0.05)
    emit({"event": "ready"})
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    counts: dict[str, int] = {}

    async def one(i: int) -> None:
        try:
            await client.invoke("py.h", i, timeout=8.0)
            key = "ok"
        except AcpError as err:
            key = err.code
        counts[key] = counts.get(key, 0) + 1

    tasks = []
    end = loop.time() + seconds
    i = 0
    while loop.time() < end:
        tasks.append(asyncio.create_task(one(i)))
        i += 1
        await asyncio.sleep(0.02)
    await asyncio.gather(*tasks)
    emit({"event": "done", "counts": counts, "sent": i})
    await client.close()
    await server.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "client", "hammer"])
    parser.add_argument("--nats", required=True)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    if args.mode == "hammer":
        asyncio.run(hammer(args.nats, args.seconds))
    else:
        asyncio.run(serve(args.nats) if args.mode == "serve" else client(args.nats))


if __name__ == "__main__":
    main()

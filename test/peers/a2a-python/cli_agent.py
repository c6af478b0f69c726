"""A tiny A2A 1.0 agent on the official Python SDK (a2a-sdk 1.3.0, JSON-RPC binding), the
foreign server the `oaio a2a card|send|stream` tests talk to (test/cli/a2a-foreign.test.ts).

Run: `python cli_agent.py` -> binds 127.0.0.1 on a free port, prints `READY <base url>` once
it serves, runs until SIGTERM/SIGINT. What it answers, by the text it gets:
  "ask"        INPUT_REQUIRED "What is your name?"; the next message on that task completes
               it with the artifact "Hello, <name>"
  "msg"        a Message (no task): "just a message"
  "data"       a completed task whose artifact holds a data part {"answer": 42, "unit": "m"}
  "fail"       FAILED with the status message "it broke"
  "file"       a completed task whose artifact holds a file by URL and a file inline (3 bytes)
  anything     a completed task whose artifact is the text upper-cased, in two chunks
"""

import asyncio
import signal
import socket
import sys

import uvicorn
from starlette.applications import Starlette

from a2a.helpers.proto_helpers import new_data_part, new_raw_part, new_text_message, new_text_part, new_url_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events.event_queue_v2 import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Task, TaskState, TaskStatus


class CliAgent(AgentExecutor):
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        said = context.get_user_input()
        task_id = context.task_id or ""
        context_id = context.context_id or ""
        if said == "msg" and context.current_task is None:
            await event_queue.enqueue_event(new_text_message("just a message", context_id=context_id))
            return
        if context.current_task is None:
            await event_queue.enqueue_event(Task(id=task_id, context_id=context_id, status=TaskStatus(state=TaskState.TASK_STATE_SUBMITTED)))
        updater = TaskUpdater(event_queue, task_id, context_id)
        await updater.start_work()
        if context.current_task is not None:
            await updater.add_artifact([new_text_part(f"Hello, {said}")], artifact_id="answer", last_chunk=True)
            await updater.complete()
        elif said == "ask":
            await updater.requires_input(new_text_message("What is your name?", context_id=context_id, task_id=task_id))
        elif said == "data":
            await updater.add_artifact([new_data_part({"answer": 42, "unit": "m"})], artifact_id="answer", last_chunk=True)
            await updater.complete()
        elif said == "file":
            parts = [
                new_url_part("https://example.com/report.pdf", filename="report.pdf", media_type="application/pdf"),
                new_raw_part(b"abc", filename="abc.txt", media_type="text/plain"),
            ]
            await updater.add_artifact(parts, artifact_id="answer", last_chunk=True)
            await updater.complete()
        elif said == "fail":
            await updater.failed(new_text_message("it broke", context_id=context_id, task_id=task_id))
        else:
            upper = said.upper()
            await updater.add_artifact([new_text_part(upper[:2])], artifact_id="answer", append=False, last_chunk=False)
            await updater.add_artifact([new_text_part(upper[2:])], artifact_id="answer", append=True, last_chunk=True)
            await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        updater = TaskUpdater(event_queue, context.task_id or "", context.context_id or "")
        await updater.cancel()


async def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    card = AgentCard(
        name="Python SDK agent",
        description="an a2a-sdk 1.3.0 server for the oaio CLI tests",
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=f"{base}/rpc", protocol_binding="JSONRPC", protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain", "application/json"],
        skills=[AgentSkill(id="shout", name="Shout", description="upper-cases the text", tags=["demo"])],
    )
    handler = DefaultRequestHandler(agent_executor=CliAgent(), task_store=InMemoryTaskStore(), agent_card=card)
    app = Starlette(routes=[*create_agent_card_routes(card), *create_jsonrpc_routes(handler, "/rpc")])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))

    async def announce() -> None:
        while not server.started:
            await asyncio.sleep(0.02)
        print(f"READY {base}", flush=True)

    await asyncio.gather(server.serve(sockets=[sock]), announce())


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)

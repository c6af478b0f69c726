"""A small A2A agent on the official Python SDK (a2a-sdk 1.3.0), serving all three bindings.

The outside referee for bin/a2a/conformance's TCK checks: JSON-RPC at http://127.0.0.1:HTTP/,
HTTP+JSON at http://127.0.0.1:HTTP/a2a/rest, gRPC at 127.0.0.1:GRPC, the card at
/.well-known/agent-card.json (streaming and push notifications on).

Usage: agent.py HTTP_PORT GRPC_PORT   (prints "ready" on stdout once both servers listen)

Behaviour, chosen by the message the way the A2A TCK drives its system under test (message id
prefix), or by the text the OpenAgentIO demo agent understands:
- message id "tck-input-required..." or text "ask": the task stops in INPUT_REQUIRED;
- message id "tck-auth-required..." or text "login": the task stops in AUTH_REQUIRED;
- message id "tck-message-response...": answers with a Message, no task;
- message id "tck-delayed-complete..." or text "hold": works for a second, then completes as below;
- message id "tck-artifact-file-url...": one artifact with a file URL part, then completes;
- anything else (a follow-up on an existing task too): one text artifact echoing the text,
  then completes with an agent message.
"""

import asyncio
import sys

import grpc.aio
import httpx
import uvicorn
from starlette.applications import Starlette

import a2a.types.a2a_pb2_grpc as a2a_grpc
from a2a.helpers.proto_helpers import new_task_from_user_message
from a2a.server.agent_execution.agent_executor import AgentExecutor
from a2a.server.agent_execution.context import RequestContext
from a2a.server.events.event_queue import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.request_handlers.grpc_handler import GrpcHandler
from a2a.server.routes import (
    create_agent_card_routes,
    create_jsonrpc_routes,
    create_rest_routes,
)
from a2a.server.tasks.base_push_notification_sender import BasePushNotificationSender
from a2a.server.tasks.inmemory_push_notification_config_store import (
    InMemoryPushNotificationConfigStore,
)
from a2a.server.tasks.inmemory_task_store import InMemoryTaskStore
from a2a.server.tasks.task_updater import TaskUpdater
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    Part,
)

REST_PREFIX = "/a2a/rest"


def _text(context: RequestContext) -> str:
    message = context.message
    if message is None:
        return ""
    return "".join(p.text for p in message.parts if p.HasField("text"))


class ReferenceExecutor(AgentExecutor):
    """Echo agent with the behaviours listed in the module docstring."""

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id, context_id, message = context.task_id, context.context_id, context.message
        if task_id is None or context_id is None or message is None:
            return
        updater = TaskUpdater(event_queue, task_id, context_id)
        message_id = message.message_id
        text = _text(context)
        if message_id.startswith("tck-message-response"):
            await event_queue.enqueue_event(updater.new_agent_message([Part(text=f"echo: {text}")]))
            return
        if context.current_task is None:
            await event_queue.enqueue_event(new_task_from_user_message(message))
        if context.current_task is None and (message_id.startswith("tck-input-required") or text == "ask"):
            await updater.requires_input(updater.new_agent_message([Part(text="What is your name?")]))
            return
        if context.current_task is None and (message_id.startswith("tck-auth-required") or text == "login"):
            await updater.requires_auth(updater.new_agent_message([Part(text="Sign in first: send your token.")]))
            return
        await updater.start_work()
        if message_id.startswith("tck-delayed-complete") or text == "hold":
            await asyncio.sleep(1.0)
        if message_id.startswith("tck-artifact-file-url"):
            await updater.add_artifact(
                parts=[Part(url="https://example.com/output.txt", media_type="text/plain", filename="output.txt")]
            )
        else:
            await updater.add_artifact(parts=[Part(text=text)])
        await updater.complete(updater.new_agent_message([Part(text=f"echo: {text}")]))

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        if context.task_id is None or context.context_id is None:
            return
        await TaskUpdater(event_queue, context.task_id, context.context_id).cancel()


async def main(http_port: int, grpc_port: int) -> None:
    base = f"http://127.0.0.1:{http_port}"
    card = AgentCard(
        name="a2a-sdk reference agent",
        description="Echo agent on the official A2A Python SDK, the referee of the TCK checks",
        version="1.0.0",
        supported_interfaces=[
            AgentInterface(url=f"{base}/", protocol_binding="JSONRPC", protocol_version="1.0"),
            AgentInterface(url=f"{base}{REST_PREFIX}", protocol_binding="HTTP+JSON", protocol_version="1.0"),
            AgentInterface(url=f"127.0.0.1:{grpc_port}", protocol_binding="GRPC", protocol_version="1.0"),
        ],
        capabilities=AgentCapabilities(streaming=True, push_notifications=True),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id="echo", name="echo", description="Echoes text", tags=["echo"])],
    )
    push_store = InMemoryPushNotificationConfigStore()
    async with httpx.AsyncClient(timeout=10) as http:
        handler = DefaultRequestHandler(
            agent_executor=ReferenceExecutor(),
            task_store=InMemoryTaskStore(),
            agent_card=card,
            push_config_store=push_store,
            push_sender=BasePushNotificationSender(http, push_store),
        )
        app = Starlette(
            routes=[
                *create_jsonrpc_routes(request_handler=handler, rpc_url="/"),
                *create_agent_card_routes(agent_card=card),
                *create_rest_routes(request_handler=handler, path_prefix=REST_PREFIX),
            ]
        )
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=http_port, log_level="warning"))
        grpc_server = grpc.aio.server()
        grpc_server.add_insecure_port(f"127.0.0.1:{grpc_port}")
        a2a_grpc.add_A2AServiceServicer_to_server(GrpcHandler(handler), grpc_server)
        await grpc_server.start()
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                await serving
                return
            await asyncio.sleep(0.02)
        print("ready", flush=True)
        try:
            await serving
        finally:
            await grpc_server.stop(0)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))

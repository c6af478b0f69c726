"""The official A2A Python SDK (a2a-sdk 1.3.0) as a client of an A2A server over HTTP+JSON.

Usage: rest_client.py BASE_URL   (env A2A_BEARER: the token sent as Authorization: Bearer ...)

Resolves the agent card at BASE_URL, builds clients that may use the HTTP+JSON binding only
(so the card must list an HTTP+JSON interface), runs send, stream, get, list, cancel and the
push-config create/get/list/delete, and prints one JSON object per operation on stdout with
what the SDK returned (or the class of the error it raised). The caller asserts on them.
"""

import asyncio
import json
import os
import sys
import uuid

import httpx
from google.protobuf.json_format import MessageToDict

from a2a.client import ClientConfig, ClientFactory
from a2a.types.a2a_pb2 import (
    CancelTaskRequest,
    DeleteTaskPushNotificationConfigRequest,
    GetExtendedAgentCardRequest,
    GetTaskPushNotificationConfigRequest,
    GetTaskRequest,
    ListTaskPushNotificationConfigsRequest,
    ListTasksRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    SubscribeToTaskRequest,
    TaskPushNotificationConfig,
)


def out(op: str, **fields: object) -> None:
    print(json.dumps({"op": op, **fields}), flush=True)


def message(text: str, context_id: str = "") -> Message:
    m = Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text=text)])
    if context_id:
        m.context_id = context_id
    return m


async def main(base: str) -> None:
    headers = {"Authorization": f"Bearer {os.environ['A2A_BEARER']}"}
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        bindings = ["HTTP+JSON"]
        unary = ClientFactory(ClientConfig(streaming=False, httpx_client=http, supported_protocol_bindings=bindings))
        streaming = ClientFactory(ClientConfig(streaming=True, httpx_client=http, supported_protocol_bindings=bindings))
        client = await unary.create_from_url(base)
        stream_client = await streaming.create_from_url(base)
        out("transport", name=type(client._transport).__name__, url=client._transport.url)

        ctx = f"py-rest-{uuid.uuid4()}"
        task = None
        async for ev in client.send_message(SendMessageRequest(message=message("hello py rest", ctx))):
            task = ev.task
        text = "".join(p.text for a in task.artifacts for p in a.parts)
        out("send", id=task.id, state=task.status.state, text=text)

        kinds = []
        last_state = None
        async for ev in stream_client.send_message(SendMessageRequest(message=message("count", ctx))):
            kind = ev.WhichOneof("payload")
            kinds.append(kind)
            if kind == "status_update":
                last_state = ev.status_update.status.state
        out("stream", kinds=kinds, last_state=last_state)

        got = await client.get_task(GetTaskRequest(id=task.id, history_length=0))
        out("get", id=got.id, history=len(got.history), state=got.status.state)

        listed = await client.list_tasks(ListTasksRequest(context_id=ctx, page_size=10, include_artifacts=True))
        out("list", ids=[t.id for t in listed.tasks], contexts=sorted({t.context_id for t in listed.tasks}), total=listed.total_size)

        held = None
        req = SendMessageRequest(message=message("hold", ctx))
        req.configuration.return_immediately = True
        async for ev in client.send_message(req):
            held = ev.task
        canceled = await client.cancel_task(CancelTaskRequest(id=held.id))
        out("cancel", id=canceled.id, state=canceled.status.state)

        cfg = TaskPushNotificationConfig(task_id=task.id, id="py-cfg", url="http://127.0.0.1:9/hook", token="secret")
        created = await client.create_task_push_notification_config(cfg)
        fetched = await client.get_task_push_notification_config(GetTaskPushNotificationConfigRequest(task_id=task.id, id="py-cfg"))
        configs = await client.list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest(task_id=task.id))
        await client.delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest(task_id=task.id, id="py-cfg"))
        after = await client.list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest(task_id=task.id))
        out(
            "push",
            created=MessageToDict(created),
            fetched_url=fetched.url,
            listed=[c.id for c in configs.configs],
            after_delete=[c.id for c in after.configs],
        )

        card = await client.get_extended_agent_card(GetExtendedAgentCardRequest())
        out("extended_card", description=card.description)

        # SubscribeToTask: a held task; the caller releases it once it reads "subscribed".
        req = SendMessageRequest(message=message("hold", ctx))
        req.configuration.return_immediately = True
        async for ev in client.send_message(req):
            held = ev.task
        seen = []
        async for ev in stream_client.subscribe(SubscribeToTaskRequest(id=held.id)):
            kind = ev.WhichOneof("payload")
            seen.append(kind)
            if len(seen) == 1:
                out("subscribed", id=ev.task.id)
            if kind == "status_update":
                last = ev.status_update.status.state
        out("subscribe", id=held.id, kinds=seen, last_state=last)

        try:
            await client.get_task(GetTaskRequest(id="no-such-task"))
            out("error", raised=None)
        except Exception as e:  # noqa: BLE001 - the class is what is reported
            out("error", raised=type(e).__name__, message=str(e))

        try:
            await client.cancel_task(CancelTaskRequest(id=task.id))
            out("not_cancelable", raised=None)
        except Exception as e:  # noqa: BLE001
            out("not_cancelable", raised=type(e).__name__)
        await client.close()
        await stream_client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

"""The official A2A Python SDK (a2a-sdk 1.3.0) as a gRPC client of an A2A agent.

Usage: grpc_client.py BASE_URL TOKEN
Resolves the agent card from BASE_URL over HTTP, makes a client that may use only the card's
GRPC interface (grpc.aio insecure channel), and runs send, stream, get, list, cancel,
subscribe, push config CRUD, the extended card and two errors, each with the Bearer TOKEN as
the `authorization` service parameter. Prints one JSON object with what each step saw; the
calling test asserts on it. Facts only: no assertions here, every exception is reported.
"""

import asyncio
import json
import sys

import grpc
from a2a.client import ClientCallContext, ClientConfig, ClientFactory
from a2a.types import a2a_pb2 as pb
from google.protobuf.json_format import MessageToDict


def msg(text: str, **kw) -> pb.Message:
    msg.n += 1
    return pb.Message(
        message_id=f"py-grpc-{msg.n}",
        role=pb.ROLE_USER,
        parts=[pb.Part(text=text)],
        **kw,
    )


msg.n = 0


def text_of(task: pb.Task) -> str:
    return "".join(p.text for a in task.artifacts for p in a.parts)


async def main(base_url: str, token: str) -> dict:
    out: dict = {}
    ctx = ClientCallContext(service_parameters={"authorization": f"Bearer {token}"})

    def config(streaming: bool) -> ClientConfig:
        return ClientConfig(
            streaming=streaming,
            supported_protocol_bindings=["GRPC"],
            grpc_channel_factory=grpc.aio.insecure_channel,
        )

    unary = await ClientFactory(config(False)).create_from_url(base_url)
    streaming = await ClientFactory(config(True)).create_from_url(base_url)
    out["transport"] = type(unary._transport).__name__

    async def first(client, request):
        async for ev in client.send_message(request, context=ctx):
            return ev
        return None

    async def step(name, coro):
        try:
            out[name] = await coro
        except Exception as e:  # noqa: BLE001 - reported to the test
            out[name] = {"error": type(e).__name__, "message": str(e)}

    async def send():
        ev = await first(unary, pb.SendMessageRequest(message=msg("hello py grpc")))
        return {
            "state": pb.TaskState.Name(ev.task.status.state),
            "text": text_of(ev.task),
            "id": ev.task.id,
        }

    async def stream():
        kinds = []
        async for ev in streaming.send_message(
            pb.SendMessageRequest(message=msg("count")), context=ctx
        ):
            kinds.append(ev.WhichOneof("payload"))
        return kinds

    async def get_list():
        context_id = "py-grpc-ctx"
        a = await first(
            unary, pb.SendMessageRequest(message=msg("a", context_id=context_id))
        )
        await first(
            unary, pb.SendMessageRequest(message=msg("b", context_id=context_id))
        )
        got = await unary.get_task(pb.GetTaskRequest(id=a.task.id), context=ctx)
        page = await unary.list_tasks(
            pb.ListTasksRequest(context_id=context_id, page_size=1), context=ctx
        )
        rest = await unary.list_tasks(
            pb.ListTasksRequest(
                context_id=context_id, page_size=1, page_token=page.next_page_token
            ),
            context=ctx,
        )
        return {
            "got": got.id == a.task.id,
            "page": len(page.tasks),
            "total": page.total_size,
            "rest": [t.id for t in rest.tasks] == [a.task.id],
        }

    async def held():
        config = pb.SendMessageConfiguration(return_immediately=True)
        return (
            await first(
                unary, pb.SendMessageRequest(message=msg("hold"), configuration=config)
            )
        ).task

    async def subscribe_cancel():
        task = await held()
        sub = []
        async for ev in streaming.subscribe(
            pb.SubscribeToTaskRequest(id=task.id), context=ctx
        ):
            sub.append(ev.WhichOneof("payload"))
            break  # leaves the stream (client cancel); the task goes on
        canceled = await unary.cancel_task(
            pb.CancelTaskRequest(id=task.id), context=ctx
        )
        again = None
        try:
            await unary.cancel_task(pb.CancelTaskRequest(id=task.id), context=ctx)
        except Exception as e:  # noqa: BLE001
            again = type(e).__name__
        return {
            "subscribed": sub,
            "state": pb.TaskState.Name(canceled.status.state),
            "again": again,
        }

    async def push():
        task = (await first(unary, pb.SendMessageRequest(message=msg("push")))).task
        url = "http://127.0.0.1:9/py-grpc-hook"
        created = await unary.create_task_push_notification_config(
            pb.TaskPushNotificationConfig(task_id=task.id, url=url, token="secret"),
            context=ctx,
        )
        got = await unary.get_task_push_notification_config(
            pb.GetTaskPushNotificationConfigRequest(task_id=task.id, id=created.id),
            context=ctx,
        )
        listed = await unary.list_task_push_notification_configs(
            pb.ListTaskPushNotificationConfigsRequest(task_id=task.id), context=ctx
        )
        await unary.delete_task_push_notification_config(
            pb.DeleteTaskPushNotificationConfigRequest(task_id=task.id, id=created.id),
            context=ctx,
        )
        after = await unary.list_task_push_notification_configs(
            pb.ListTaskPushNotificationConfigsRequest(task_id=task.id), context=ctx
        )
        return {
            "created": bool(created.id) and created.task_id == task.id,
            "token_echoed": created.token != "",
            "got": got.url,
            "listed": [c.id for c in listed.configs] == [created.id],
            "after": len(after.configs),
        }

    async def extended():
        card = await unary.get_extended_agent_card(
            pb.GetExtendedAgentCardRequest(), context=ctx
        )
        return {
            "description": card.description,
            "bindings": [i.protocol_binding for i in card.supported_interfaces],
        }

    async def not_found():
        await unary.get_task(pb.GetTaskRequest(id="nope"), context=ctx)
        return "no error"

    async def unsupported():
        # UnsupportedOperation: our code is the TCK's UNIMPLEMENTED, the SDK's own is FAILED_PRECONDITION
        done = (await first(unary, pb.SendMessageRequest(message=msg("done")))).task
        async for _ in streaming.subscribe(
            pb.SubscribeToTaskRequest(id=done.id), context=ctx
        ):
            pass
        return "no error"

    async def unauthenticated():
        await unary.get_task(pb.GetTaskRequest(id="nope"))
        return "no error"

    await step("send", send())
    await step("stream", stream())
    await step("get_list", get_list())
    await step("subscribe_cancel", subscribe_cancel())
    await step("push", push())
    await step("extended", extended())
    await step("not_found", not_found())
    await step("unsupported", unsupported())
    await step("unauthenticated", unauthenticated())
    out["card"] = (
        MessageToDict(unary._card)["supportedInterfaces"]
        if hasattr(unary, "_card")
        else None
    )
    await unary.close()
    await streaming.close()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))))

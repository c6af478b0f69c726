"""The official Python SDK's JSON-RPC client (a2a-sdk 1.3.0) against an A2A agent: the test
peer of test/cli/a2a-serve.test.ts (the other way round from cli_agent.py).

Run: `python jsonrpc_client.py URL [--token JWT] [--text TEXT]`. Resolves the card at URL with
the SDK's card resolver (A2ACardResolver), builds its clients from it (ClientFactory), then
  send    SendMessage (ClientConfig streaming=False) with TEXT
  stream  SendStreamingMessage (streaming=True) with TEXT
  get     GetTask of the task `send` created
and prints one JSON object per line: {"step": "card", "card": ...}, {"step": "send", "event":
StreamResponse}, {"step": "stream", "event": StreamResponse} per event, {"step": "get",
"task": Task}, all as ProtoJSON (google.protobuf.json_format). A failure prints {"step": ...,
"error": "<type>: <message>"} and exits 1.
"""

import argparse
import asyncio
import json
import sys
import uuid

import httpx
from google.protobuf.json_format import MessageToDict

from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.types import GetTaskRequest, Message, Part, Role, SendMessageRequest


def emit(step: str, **fields: object) -> None:
    print(json.dumps({"step": step, **fields}), flush=True)


def request(text: str) -> SendMessageRequest:
    return SendMessageRequest(message=Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text=text)]))


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--token")
    ap.add_argument("--text", default="hello from python")
    args = ap.parse_args()
    # The SDK sets A2A-Version on the client it creates itself; a client passed in (here: for the
    # Authorization header) gets the same header from us.
    headers = {"A2A-Version": "1.0"}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    step = "card"
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        try:
            card = await A2ACardResolver(http, args.url).get_agent_card()
            emit("card", card=MessageToDict(card))
            unary = ClientFactory(ClientConfig(streaming=False, httpx_client=http)).create(card)
            step = "send"
            task_id = ""
            async for ev in unary.send_message(request(args.text)):
                emit("send", event=MessageToDict(ev))
                if ev.HasField("task"):
                    task_id = ev.task.id
            step = "stream"
            streaming = ClientFactory(ClientConfig(streaming=True, httpx_client=http)).create(card)
            async for ev in streaming.send_message(request(args.text)):
                emit("stream", event=MessageToDict(ev))
            step = "get"
            task = await unary.get_task(GetTaskRequest(id=task_id))
            emit("get", task=MessageToDict(task))
        except Exception as err:  # noqa: BLE001 - reported to the test, which asserts on it
            emit(step, error=f"{type(err).__name__}: {err}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

/**
 * `oaio a2a card | send | stream` (the real CLI, child processes) against A2A agents of OTHER
 * SDKs, over JSON-RPC on loopback: the official Python SDK a2a-sdk 1.3.0
 * (test/peers/a2a-python/cli_agent.py, uvicorn) and @a2a-js/sdk 1.3.0's express server. Both
 * agents answer alike (see cli_agent.py): text upper-cased in two artifact chunks, "ask" →
 * INPUT_REQUIRED then "Hello, <name>" on the same task, "msg" → a Message instead of a Task,
 * "data" → a data part, "fail" → FAILED. Also: what the CLI says for an agent it cannot reach,
 * a URL that serves no card, and cards that are not valid A2A 1.0 cards (naming the field).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import express from "express";
import { AgentCard, Message, Task, TaskArtifactUpdateEvent, TaskStatusUpdateEvent } from "@a2a-js/sdk";
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from "@a2a-js/sdk/server";
import { UserBuilder, agentCardHandler, jsonRpcHandler } from "@a2a-js/sdk/server/express";
import { startPythonAgent } from "../helpers/a2a-python-agent.js";
import { freePort } from "../helpers/nats-server.js";
import { runOaio, type ChildResult } from "./child.js";

// generous: each test spawns the CLI (tsx start-up takes 10 s and more on a loaded 2-core machine)
const CLI_TIMEOUT = 300_000;
const oaio = (args: readonly string[]): Promise<ChildResult> => runOaio(args, { killAfterMs: 90_000 });

// ---- @a2a-js/sdk agent -----------------------------------------------------------------------

const jsExecutor: AgentExecutor = {
  async execute(ctx, events) {
    const { taskId, contextId } = ctx;
    const said = ctx.userMessage.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
    const agentMessage = (text: string, extra: Record<string, unknown> = {}) => ({
      messageId: `${taskId}-${text.length}`,
      role: "ROLE_AGENT",
      parts: [{ text }],
      contextId,
      ...extra,
    });
    if (said === "msg" && ctx.task === undefined) {
      events.publish(AgentEvent.message(Message.fromJSON(agentMessage("just a message"))));
      events.finished();
      return;
    }
    events.publish(AgentEvent.task(ctx.task ?? Task.fromJSON({ id: taskId, contextId, status: { state: "TASK_STATE_SUBMITTED" } })));
    const status = (state: string, reply?: string): void =>
      events.publish(
        AgentEvent.statusUpdate(
          TaskStatusUpdateEvent.fromJSON({ taskId, contextId, status: { state, ...(reply ? { message: agentMessage(reply, { taskId }) } : {}) } }),
        ),
      );
    const chunk = (part: Record<string, unknown>, append: boolean, lastChunk: boolean): void =>
      events.publish(
        AgentEvent.artifactUpdate(
          TaskArtifactUpdateEvent.fromJSON({ taskId, contextId, artifact: { artifactId: "answer", parts: [part] }, append, lastChunk }),
        ),
      );
    status("TASK_STATE_WORKING");
    if (ctx.task !== undefined) {
      chunk({ text: `Hello, ${said}` }, false, true);
      status("TASK_STATE_COMPLETED");
    } else if (said === "ask") {
      status("TASK_STATE_INPUT_REQUIRED", "What is your name?");
    } else if (said === "data") {
      chunk({ data: { answer: 42, unit: "m" } }, false, true);
      status("TASK_STATE_COMPLETED");
    } else if (said === "file") {
      events.publish(
        AgentEvent.artifactUpdate(
          TaskArtifactUpdateEvent.fromJSON({
            taskId,
            contextId,
            artifact: {
              artifactId: "answer",
              parts: [
                { url: "https://example.com/report.pdf", filename: "report.pdf", mediaType: "application/pdf" },
                { raw: Buffer.from("abc").toString("base64"), filename: "abc.txt", mediaType: "text/plain" },
              ],
            },
            lastChunk: true,
          }),
        ),
      );
      status("TASK_STATE_COMPLETED");
    } else if (said === "fail") {
      status("TASK_STATE_FAILED", "it broke");
    } else {
      const upper = said.toUpperCase();
      chunk({ text: upper.slice(0, 2) }, false, false);
      chunk({ text: upper.slice(2) }, true, true);
      status("TASK_STATE_COMPLETED");
    }
    events.finished();
  },
  async cancelTask(taskId, events) {
    events.publish(AgentEvent.statusUpdate(TaskStatusUpdateEvent.fromJSON({ taskId, contextId: "", status: { state: "TASK_STATE_CANCELED" } })));
    events.finished();
  },
};

async function startJsAgent(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  let base = "";
  const card = (): AgentCard =>
    AgentCard.fromJSON({
      name: "JS SDK agent",
      description: "an @a2a-js/sdk 1.3.0 express server",
      version: "1.0.0",
      supportedInterfaces: [{ url: `${base}/a2a/jsonrpc`, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
      capabilities: { streaming: true, pushNotifications: false },
      defaultInputModes: ["text/plain"],
      defaultOutputModes: ["text/plain", "application/json"],
      skills: [{ id: "shout", name: "Shout", description: "upper-cases the text", tags: ["demo"] }],
    });
  const handler = new DefaultRequestHandler(card(), new InMemoryTaskStore(), jsExecutor);
  app.use("/.well-known/agent-card.json", agentCardHandler({ agentCardProvider: async () => card() }));
  app.use("/a2a/jsonrpc", jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- a server of bad cards -------------------------------------------------------------------

const goodCard = (url: string): Record<string, unknown> => ({
  name: "bad",
  description: "d",
  version: "1",
  supportedInterfaces: [{ url, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
  capabilities: {},
  defaultInputModes: ["text/plain"],
  defaultOutputModes: ["text/plain"],
  skills: [],
});

async function startBadCards(): Promise<{ url: string; close(): Promise<void> }> {
  let base = "";
  const cards: Record<string, () => unknown> = {
    "/wrong-type.json": () => ({ ...goodCard(base), name: 12 }),
    "/no-interface-url.json": () => ({ ...goodCard(base), supportedInterfaces: [{ protocolBinding: "JSONRPC", protocolVersion: "1.0" }] }),
    "/no-description.json": () => {
      const { description: _, ...card } = goodCard(base);
      return card;
    },
    "/only-grpc.json": () => ({ ...goodCard(base), supportedInterfaces: [{ url: base, protocolBinding: "GRPC", protocolVersion: "1.0" }] }),
    // its endpoint streams one SSE event that never ends
    "/sse-huge.json": () => ({ ...goodCard(base), supportedInterfaces: [{ url: `${base}/rpc-huge`, protocolBinding: "JSONRPC", protocolVersion: "1.0" }] }),
    // a relative interface URL, the binding in lower case, a 1.0 patch version: still the JSON-RPC 1.0 endpoint
    "/relative.json": () => ({ ...goodCard(base), supportedInterfaces: [{ url: "/rpc", protocolBinding: "jsonrpc", protocolVersion: "1.0.1" }] }),
  };
  const server = createServer((req, res) => {
    const card = cards[req.url ?? ""];
    if (req.method === "POST" && req.url === "/rpc") {
      // a minimal JSON-RPC agent: answers SendMessage with a Message naming the method it got
      let body = "";
      req.setEncoding("utf8").on("data", (d: string) => (body += d));
      req.on("end", () => {
        const call = JSON.parse(body) as { id: number; method: string };
        if (call.method === "SendStreamingMessage") {
          // one working Task, then the stream ends: no final state
          const task = { id: "t-1", contextId: "c-1", status: { state: "TASK_STATE_WORKING" } };
          res.writeHead(200, { "content-type": "text/event-stream" }).end(`data: ${JSON.stringify({ jsonrpc: "2.0", id: call.id, result: { task } })}\n\n`);
          return;
        }
        const message = { messageId: "m-1", role: "ROLE_AGENT", parts: [{ text: `relative ${call.method}` }] };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: { message } }));
      });
    } else if (req.url === "/huge.json" || req.url === "/rpc-huge") {
      // 5 MiB in 64 KiB chunks, no content-length: over the client's 4 MiB bound only while reading
      res.writeHead(200, { "content-type": req.url === "/rpc-huge" ? "text/event-stream" : "application/json" });
      res.write(req.url === "/rpc-huge" ? "data: " : '{"name":"');
      const chunk = "x".repeat(64 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < 80) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      res.on("error", () => undefined);
      more();
    } else if (req.url === "/html.json") {
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body>hello</body></html>");
    } else if (card) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(card()));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// ----------------------------------------------------------------------------------------------

const peers: Record<string, { url: string; close(): Promise<void> }> = {};
let bad: { url: string; close(): Promise<void> };

beforeAll(async () => {
  [peers["python a2a-sdk 1.3.0"], peers["@a2a-js/sdk 1.3.0"], bad] = await Promise.all([startPythonAgent(), startJsAgent(), startBadCards()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([...Object.values(peers).map((p) => p.close()), bad?.close()]);
});

// biome-ignore lint/suspicious/noExplicitAny: wire JSON printed by the CLI, indexed by path on purpose; a wrong shape fails the assertion
type Obj = Record<string, any>;
const lines = (text: string): Obj[] =>
  text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Obj);

describe.each(["python a2a-sdk 1.3.0", "@a2a-js/sdk 1.3.0"])("oaio a2a against the %s server", (peer) => {
  const url = (): string => peers[peer]?.url ?? "";

  it(
    "card prints the agent's card (pretty, and --json on one line)",
    async () => {
      const [pretty, raw] = await Promise.all([oaio(["a2a", "card", url()]), oaio(["a2a", "card", url(), "--json"])]);
      expect(pretty.code, pretty.stderr).toBe(0);
      const card = JSON.parse(pretty.stdout) as Obj;
      expect(card["name"]).toMatch(/SDK agent$/);
      expect(card["skills"][0]).toMatchObject({ id: "shout", name: "Shout" });
      expect(pretty.stdout.split("\n").length).toBeGreaterThan(5);
      expect(pretty.stderr).toMatch(/^\[\S.* 1\.0\.0 at http:\S+\/\.well-known\/agent-card\.json: JSON-RPC 1\.0 at http:\S+\/(rpc|a2a\/jsonrpc)\]$/m);
      expect(raw.code, raw.stderr).toBe(0);
      expect(raw.stdout.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(raw.stdout)).toEqual(card);
    },
    CLI_TIMEOUT,
  );

  it(
    "send prints the artifact's text, a data part as JSON, a Message answer, and a failed task (exit 1)",
    async () => {
      const [hello, data, msg, fail] = (await Promise.all(["hello world", "data", "msg", "fail"].map((t) => oaio(["a2a", "send", url(), t])))) as [
        ChildResult,
        ChildResult,
        ChildResult,
        ChildResult,
      ];
      expect(hello.code, hello.stderr).toBe(0);
      expect(hello.stdout).toBe("HELLO WORLD\n");
      expect(hello.stderr).toMatch(/^\[task \S+, context \S+: completed\]$/m);
      expect(data.code, data.stderr).toBe(0);
      expect(JSON.parse(data.stdout)).toEqual({ answer: 42, unit: "m" });
      expect(msg.code, msg.stderr).toBe(0);
      expect(msg.stdout).toBe("just a message\n");
      expect(msg.stderr).toMatch(/^\[message \S+/m);
      expect(fail.code, fail.stderr).toBe(1);
      expect(fail.stdout).toBe("it broke\n");
      expect(fail.stderr).toMatch(/: failed\]/);
    },
    CLI_TIMEOUT,
  );

  it(
    "send prints file parts as one line each: by URL, and inline with their size",
    async () => {
      const r = await oaio(["a2a", "send", url(), "file"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("[report.pdf (application/pdf): https://example.com/report.pdf]\n[abc.txt (text/plain), 3 bytes inline]\n");
    },
    CLI_TIMEOUT,
  );

  it(
    "send --json prints the SendMessage result as ProtoJSON",
    async () => {
      const r = await oaio(["a2a", "send", url(), "hey", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const [result] = lines(r.stdout);
      expect(result?.["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect(result?.["task"]["artifacts"][0]["parts"].map((p: Obj) => p["text"]).join("")).toBe("HEY");
    },
    CLI_TIMEOUT,
  );

  it(
    "input-required: send prints the question and how to answer; send --task-id --context-id continues the same task",
    async () => {
      const asked = await oaio(["a2a", "send", url(), "ask"]);
      expect(asked.code, asked.stderr).toBe(0);
      expect(asked.stdout).toBe("What is your name?\n");
      const m = /--task-id (\S+) --context-id (\S+)\]/.exec(asked.stderr);
      expect(m, asked.stderr).not.toBeNull();
      const [, taskId = "", contextId = ""] = m ?? [];
      const done = await oaio(["a2a", "send", url(), "Ada", "--task-id", taskId, "--context-id", contextId, "--json"]);
      expect(done.code, done.stderr).toBe(0);
      const task = lines(done.stdout)[0]?.["task"];
      expect(task["id"]).toBe(taskId);
      expect(task["contextId"]).toBe(contextId);
      expect(task["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect(
        task["artifacts"]
          .flatMap((a: Obj) => a["parts"])
          .map((p: Obj) => p["text"])
          .join(""),
      ).toBe("Hello, Ada");
    },
    CLI_TIMEOUT,
  );

  it(
    "stream prints frames as they arrive: states on stderr, the chunks joined on stdout; --json one StreamResponse per line",
    async () => {
      const [text, json, ask, msg] = await Promise.all([
        oaio(["a2a", "stream", url(), "streamed"]),
        oaio(["a2a", "stream", url(), "streamed", "--json"]),
        oaio(["a2a", "stream", url(), "ask"]),
        oaio(["a2a", "stream", url(), "msg"]),
      ]);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toBe("STREAMED\n");
      const states = text.stderr.split("\n").filter((l) => /^\[(working|completed|submitted)|^\[task /.test(l));
      expect(states.at(-1)).toBe("[completed]");
      expect(states).toContain("[working]");
      expect(json.code, json.stderr).toBe(0);
      const frames = lines(json.stdout);
      const chunks = frames.filter((f) => f["artifactUpdate"]).map((f) => f["artifactUpdate"]["artifact"]["parts"][0]["text"]);
      expect(chunks).toEqual(["ST", "REAMED"]);
      expect(frames.at(-1)?.["statusUpdate"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
      expect(frames.every((f) => Object.keys(f).length === 1 && ["task", "message", "statusUpdate", "artifactUpdate"].includes(Object.keys(f)[0] ?? ""))).toBe(
        true,
      );
      expect(ask.code, ask.stderr).toBe(0);
      expect(ask.stdout).toBe("What is your name?\n");
      expect(ask.stderr).toMatch(/\[input-required: answer with .* a2a send .* --task-id \S+ --context-id \S+\]/);
      expect(msg.code, msg.stderr).toBe(0);
      expect(msg.stdout).toBe("just a message\n");
    },
    CLI_TIMEOUT,
  );
});

describe("oaio a2a: agents that cannot be reached or serve no valid card", () => {
  it(
    "an agent nobody listens for: exit 2, naming the card URL",
    async () => {
      const port = await freePort();
      const r = await oaio(["a2a", "send", `http://127.0.0.1:${port}`, "hi"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`cannot reach agent card at http://127.0.0.1:${port}/.well-known/agent-card.json`);
    },
    CLI_TIMEOUT,
  );

  it(
    "no card there (404), a card that is not JSON, invalid cards: exit 1, each naming what is wrong",
    async () => {
      const cases: [string, RegExp][] = [
        [bad.url, /agent card at http:\S+\/\.well-known\/agent-card\.json: HTTP 404/],
        [`${bad.url}/html.json`, /is not JSON \(content-type text\/html\)/],
        [`${bad.url}/wrong-type.json`, /not a valid A2A 1\.0 card: .*name/],
        [`${bad.url}/no-interface-url.json`, /not a valid A2A 1\.0 card: supportedInterfaces\[0\]\.url is required/],
        [`${bad.url}/no-description.json`, /not a valid A2A 1\.0 card: description is required/],
      ];
      const results = await Promise.all(cases.map(([u]) => oaio(["a2a", "card", u])));
      for (const [i, r] of results.entries()) {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/^oaio a2a card: INVALID_AGENT_RESPONSE: /);
        expect(r.stderr).toMatch(cases[i]?.[1] ?? /never/);
      }
      const grpcOnly = await oaio(["a2a", "send", `${bad.url}/only-grpc.json`, "hi"]);
      expect(grpcOnly.code, grpcOnly.stderr).toBe(1);
      expect(grpcOnly.stderr).toContain("offers no JSONRPC 1.0 interface (it offers GRPC 1.0)");
    },
    CLI_TIMEOUT,
  );

  it(
    "the card's JSON-RPC interface URL is resolved against the card's URL; binding in any case, any 1.0.x version; a stream that ends early exits 1",
    async () => {
      const [r, early] = (await Promise.all([
        oaio(["a2a", "send", `${bad.url}/relative.json`, "hi"]),
        oaio(["a2a", "stream", `${bad.url}/relative.json`, "hi"]),
      ])) as [ChildResult, ChildResult];
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("relative SendMessage\n");
      // a stream that ends before the task is final is an error answer
      expect(early.code, early.stderr).toBe(1);
      expect(early.stderr).toContain("[task t-1, context c-1: working]");
      expect(early.stderr).toMatch(/AGENT_UNAVAILABLE: the agent at http:\S+\/rpc ended the stream before the task reached a final state/);
    },
    CLI_TIMEOUT,
  );

  it(
    "answers past the client's 4 MiB bound: a card, one SSE event that never ends (exit 1, naming the bound)",
    async () => {
      const [card, stream] = (await Promise.all([
        oaio(["a2a", "card", `${bad.url}/huge.json`]),
        oaio(["a2a", "stream", `${bad.url}/sse-huge.json`, "hi"]),
      ])) as [ChildResult, ChildResult];
      expect(card.code, card.stderr).toBe(1);
      expect(card.stderr).toContain("huge.json: the answer is over 4194304 bytes (maxResponseBytes)");
      expect(stream.code, stream.stderr).toBe(1);
      expect(stream.stderr).toContain("SendStreamingMessage: an SSE event over 4194304 bytes (maxResponseBytes)");
    },
    CLI_TIMEOUT,
  );

  it(
    "usage mistakes exit 2: a URL that is not http(s), a malformed --header",
    async () => {
      const [scheme, header] = await Promise.all([oaio(["a2a", "card", "nats://127.0.0.1:4222"]), oaio(["a2a", "card", bad.url, "--header", "no-equals"])]);
      expect(scheme.code).toBe(2);
      expect(scheme.stderr).toContain("must be http:// or https://");
      expect(header.code).toBe(2);
      expect(header.stderr).toContain('--header must be name=value with a valid HTTP header name, got "no-equals"');
    },
    CLI_TIMEOUT,
  );
});

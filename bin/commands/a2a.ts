/**
 * `oaio a2a card | send | stream | serve`: A2A 1.0 from the command line. card, send and stream
 * talk to any A2A agent over JSON-RPC (runtime/a2a/client.ts: the card's JSON-RPC 1.0
 * interface); serve (a2a-serve.ts) serves a bus target as an A2A agent. Exit codes as the other
 * client commands: 0 ok (a completed task, a Message, or a task waiting for input/auth), 1 an
 * error answer (a JSON-RPC error, a failed, rejected or canceled task, an invalid card or
 * answer, a timeout), 2 usage errors and an agent that cannot be reached.
 */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { AcpError } from "../../runtime/errors.js";
import { A2aClient, jsonRpcEndpoint, readAgentCard, type A2aClientOptions } from "../../runtime/a2a/client.js";
import { isA2aError } from "../../runtime/a2a/errors.js";
import { AgentTimeoutError } from "../../generated/ts/errors.js";
import type { Message, SendMessageRequest } from "../../generated/a2a/index.js";
import { parseJsonArg, parseMs, UsageError } from "./invoke.js";
import { cliName } from "./serve.js";
import { processOutput, printSendResult, StreamPrinter, type ContinueHint } from "./a2a-print.js";
import { register as registerServe } from "./a2a-serve.js";

/** Options every A2A client command takes. */
interface A2aClientCliOptions {
  header: string[];
  token?: string;
  timeout: string;
  json?: boolean;
}

interface MessageCliOptions extends A2aClientCliOptions {
  contextId?: string;
  taskId?: string;
  data?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function addClientOptions(cmd: Command): Command {
  return cmd
    .option("--header <k=v>", "extra HTTP header on every request (repeatable)", collect, [])
    .option("--token <token>", "Bearer token: Authorization: Bearer <token> (default: $OAIO_TOKEN)")
    .option("--timeout <ms>", "how long to wait, in ms (stream: without a frame)", "30000");
}

function addMessageOptions(cmd: Command): Command {
  return addClientOptions(cmd)
    .option("--context-id <id>", "contextId of the message (continue a conversation)")
    .option("--task-id <id>", "taskId of the message (answer a task that is input-required or auth-required)")
    .option("--data", "<text> is JSON: send it as one data part instead of a text part")
    .option("--json", "print the raw ProtoJSON answer (stream: one StreamResponse per line)");
}

/** `--header k=v` values and `--token` as request headers; a malformed header is a usage error naming it. */
export function requestHeaders(opts: Pick<A2aClientCliOptions, "header" | "token">): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of opts.header) {
    const at = h.indexOf("=");
    const name = at < 0 ? "" : h.slice(0, at).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new UsageError(`--header must be name=value with a valid HTTP header name, got ${JSON.stringify(h)}`);
    headers[name] = h.slice(at + 1);
  }
  const token = opts.token ?? process.env["OAIO_TOKEN"];
  if (token !== undefined && token !== "") headers["Authorization"] = `Bearer ${token}`;
  return headers;
}

/** The agent URL argument: an absolute http(s) URL, else a usage error. */
function agentUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `the agent URL must be an absolute http:// or https:// URL (its card is at /.well-known/agent-card.json), got ${JSON.stringify(text)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`the agent URL must be http:// or https://, got ${JSON.stringify(text)}`);
  return url.href;
}

function clientOptions(opts: A2aClientCliOptions): A2aClientOptions {
  return { headers: requestHeaders(opts), timeoutMs: parseMs(opts.timeout, "--timeout") };
}

/** The user message of send and stream. */
function userMessage(text: string, opts: MessageCliOptions): SendMessageRequest {
  const message: Message = {
    messageId: randomUUID(),
    role: "ROLE_USER",
    parts: [opts.data ? { data: parseJsonArg(text, "the message (--data)") } : { text }],
    ...(opts.contextId === undefined ? {} : { contextId: opts.contextId }),
    ...(opts.taskId === undefined ? {} : { taskId: opts.taskId }),
  };
  return { message };
}

/**
 * Runs one client command; maps failures to exit codes: usage errors and an agent that cannot
 * be reached 2, anything the agent answered wrongly (an A2A error, an invalid answer) or too
 * late 1. The message names the A2A reason and, for a JSON-RPC error, its code.
 */
async function run(command: string, fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError || (err instanceof AcpError && err.code === "TRANSPORT_FAILURE")) {
      process.stderr.write(`oaio a2a ${command}: ${message}\n`);
      process.exitCode = 2;
    } else if (isA2aError(err)) {
      process.stderr.write(`oaio a2a ${command}: ${err.reason}${err.wire === undefined ? "" : ` (JSON-RPC ${err.wire.code})`}: ${message}\n`);
      process.exitCode = 1;
    } else if (err instanceof AcpError) {
      process.stderr.write(`oaio a2a ${command}: ${err.code}: ${message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`oaio a2a ${command}: ${message}\n`);
      process.exitCode = 2;
    }
  }
}

function hintFor(url: string): ContinueHint {
  return { command: cliName(), url };
}

/** `oaio a2a stream`: prints frames as they arrive; `--timeout` bounds the wait for each frame. */
async function streamCommand(url: string, text: string, opts: MessageCliOptions): Promise<number> {
  const base = agentUrl(url);
  const copts = clientOptions(opts);
  const idleMs = copts.timeoutMs ?? 30_000;
  const { client } = await A2aClient.connect(base, copts);
  const printer = new StreamPrinter(opts.json ? { out: () => undefined, err: () => undefined } : processOutput, hintFor(url));
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), idleMs);
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), idleMs);
  };
  try {
    for await (const ev of client.sendStreamingMessage(userMessage(text, opts), idle.signal)) {
      rearm();
      if (opts.json) process.stdout.write(`${JSON.stringify(ev)}\n`);
      const code = printer.frame(ev);
      if (code !== undefined) return code;
    }
  } catch (err: unknown) {
    if (idle.signal.aborted) throw new AgentTimeoutError(`no frame from ${client.endpoint} within ${idleMs} ms (--timeout)`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    printer.endLine();
  }
  throw new AcpError("AGENT_UNAVAILABLE", `the agent at ${client.endpoint} ended the stream before the task reached a final state`);
}

/** Registers `oaio a2a …`. */
export function register(program: Command): void {
  const a2a = program
    .command("a2a")
    .description("talk to A2A 1.0 agents (card, send, stream) and serve bus targets as one (serve); exit 0 ok, 1 error answer, 2 usage error or unreachable")
    .addHelpText(
      "after",
      [
        "",
        "Exit codes (card, send, stream):",
        "  0  a completed task, a Message, or a task waiting for input or auth (stderr says how to answer)",
        "  1  an error answer: a failed, rejected or canceled task, a JSON-RPC error, an invalid card or answer, a timeout",
        "  2  a usage error, or an agent that cannot be reached",
        "serve: 2 when it cannot start (options, NATS, port), 0 after SIGINT/SIGTERM.",
      ].join("\n"),
    );

  addClientOptions(
    a2a
      .command("card")
      .description("fetch an agent's card (<url>/.well-known/agent-card.json, or a card URL ending in .json), check it, print it")
      .argument("<url>", "the agent's base URL"),
  )
    .option("--json", "print the card as the agent sent it, on one line")
    .action(async (url: string, opts: A2aClientCliOptions) => {
      await run("card", async () => {
        const fetched = await readAgentCard(agentUrl(url), clientOptions(opts));
        process.stdout.write(`${opts.json ? JSON.stringify(fetched.raw) : JSON.stringify(fetched.raw, null, 2)}\n`);
        const endpoint = jsonRpcEndpoint(fetched.card, fetched.url);
        process.stderr.write(
          `[${fetched.card.name} ${fetched.card.version} at ${fetched.url}: ${endpoint === undefined ? "no JSON-RPC 1.0 interface (send and stream cannot talk to it)" : `JSON-RPC 1.0 at ${endpoint}`}]\n`,
        );
        return 0;
      });
    });

  addMessageOptions(
    a2a
      .command("send")
      .description("send a text message (SendMessage) and print the answer: artifacts' text, data parts as JSON; the task state on stderr")
      .argument("<url>", "the agent's base URL")
      .argument("<text>", "the message text"),
  ).action(async (url: string, text: string, opts: MessageCliOptions) => {
    await run("send", async () => {
      const { client } = await A2aClient.connect(agentUrl(url), clientOptions(opts));
      const result = await client.sendMessage(userMessage(text, opts));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return printSendResult(result, { out: () => undefined, err: () => undefined }, hintFor(url));
      }
      return printSendResult(result, processOutput, hintFor(url));
    });
  });

  addMessageOptions(
    a2a
      .command("stream")
      .description("send a text message (SendStreamingMessage) and print frames as they arrive until the task is final or waits for input")
      .argument("<url>", "the agent's base URL")
      .argument("<text>", "the message text"),
  ).action(async (url: string, text: string, opts: MessageCliOptions) => {
    await run("stream", () => streamCommand(url, text, opts));
  });

  registerServe(a2a);
}

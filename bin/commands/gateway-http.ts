/**
 * `oaio http invoke | stream | emit | health`: the gateway's routes from the command line,
 * through {@link GatewayClient}. Exit codes as the bus client commands: 0 ok, 1 an error
 * answer (an ErrorPayload from the gateway), 2 usage or connection errors; `health` adds
 * 3: the server answers but has no health route (404/405, e.g. the deployed Go adapter).
 */
import type { Command } from "commander";
import { AcpError, errorFromPayload } from "../../runtime/errors.js";
// the client alone: it needs none of the gateway server's optional peers (fastify, jose)
import { GatewayClient, type CallOptions, type HealthReport, type ProbeState } from "../../runtime/gateway/client.js";
import { resultOf } from "../../runtime/bus/index.js";
import type { Envelope } from "../../generated/ts/types.js";
import { parseJsonArg, parseMs, readable, UsageError } from "./invoke.js";

interface HttpOptions {
  url: string;
  token?: string;
  tenant?: string;
  session?: string;
  conversation?: string;
  user?: string;
  channel?: string;
  timeout?: string;
  json?: boolean;
}

function addHttpOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway base URL", "http://127.0.0.1:8080")
    .option("--token <jwt>", "Bearer token (default: $OAIO_TOKEN)")
    .option("--tenant <id>", "X-Tenant-Id")
    .option("--session <id>", "X-Session-Id")
    .option("--conversation <id>", "X-Conversation-Id")
    .option("--user <id>", "X-User-Id")
    .option("--channel <name>", "X-Channel")
    .option("--timeout <ms>", "X-Timeout-Ms: how long the gateway waits for the agent")
    .option("--json", "print the raw JSON (stream: one envelope per line)");
}

function clientOf(opts: HttpOptions): GatewayClient {
  const token = opts.token ?? process.env["OAIO_TOKEN"];
  return new GatewayClient({ url: opts.url, ...(token === undefined || token === "" ? {} : { token }) });
}

function callOptions(opts: HttpOptions): CallOptions {
  const call: CallOptions = {};
  if (opts.tenant !== undefined) call.tenantId = opts.tenant;
  if (opts.session !== undefined) call.sessionId = opts.session;
  if (opts.conversation !== undefined) call.conversationId = opts.conversation;
  if (opts.user !== undefined) call.userId = opts.user;
  if (opts.channel !== undefined) call.channel = opts.channel;
  if (opts.timeout !== undefined) call.timeoutMs = parseMs(opts.timeout, "--timeout");
  return call;
}

/** Runs one command; maps failures to exit codes. */
async function run(command: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    process.exitCode ??= 0;
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof AcpError && err.code !== "TRANSPORT_FAILURE") {
      process.stderr.write(`oaio http ${command}: ${err.code}: ${message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`oaio http ${command}: ${message}\n`);
      process.exitCode = 2;
    }
  }
}

function payloadArg(json: string | undefined): unknown {
  return json === undefined ? undefined : parseJsonArg(json, "the request body");
}

const HEALTHZ_TEXT: Readonly<Record<ProbeState, string>> = { ok: "ok", failing: "down", "no-route": "no health route", unreachable: "unreachable" };
const READYZ_TEXT: Readonly<Record<ProbeState, string>> = { ok: "ready", failing: "not ready", "no-route": "no readiness route", unreachable: "unreachable" };

/** `oaio http health`'s exit code: 2 no answer, 1 a route answered failing, 3 a route is missing, else 0. */
export function healthExitCode(report: HealthReport): number {
  const states = [report.healthz, report.readyz];
  if (states.includes("unreachable")) return 2;
  if (states.includes("failing")) return 1;
  if (states.includes("no-route")) return 3;
  return 0;
}

/** Registers `oaio http …`. */
export function register(program: Command): void {
  const http = program.command("http").description("call agents through an HTTP/SSE gateway (oaio serve --http PORT)");

  addHttpOptions(
    http
      .command("invoke")
      .description("POST /v1/agents/{target}/invoke and print the reply payload")
      .argument("<target>", "agent id")
      .argument("[json]", "request body as JSON"),
  ).action(async (target: string, json: string | undefined, opts: HttpOptions) => {
    await run("invoke", async () => {
      const reply = await clientOf(opts).invoke(target, payloadArg(json), callOptions(opts));
      if (opts.json) process.stdout.write(`${JSON.stringify(reply ?? null)}\n`);
      else {
        // the reply payload as the agent sent it; a {"result": v} answer (deployed peers) prints v, as `oaio invoke` does
        const result = reply === undefined ? undefined : resultOf({ payload: reply } as Envelope);
        process.stdout.write(`${result === undefined ? "(no result)" : readable(result)}\n`);
      }
    });
  });

  addHttpOptions(
    http
      .command("stream")
      .description("POST /v1/agents/{target}/stream and print frames as they arrive")
      .argument("<target>", "agent id")
      .argument("[json]", "request body as JSON")
      .option("--last-event-id <id>", "resume a stream the gateway still keeps")
      .option("--resume <n>", "reconnect up to n times with Last-Event-ID if the connection drops", "3"),
  ).action(async (target: string, json: string | undefined, opts: HttpOptions & { lastEventId?: string; resume: string }) => {
    await run("stream", async () => {
      const resumeAttempts = Number(opts.resume);
      if (!Number.isSafeInteger(resumeAttempts) || resumeAttempts < 0) throw new UsageError(`--resume must be a whole number, got ${opts.resume}`);
      const stream = clientOf(opts).stream(target, payloadArg(json), {
        ...callOptions(opts),
        resumeAttempts,
        ...(opts.lastEventId === undefined ? {} : { lastEventId: opts.lastEventId }),
      });
      const stop = (): void => void stream.close();
      process.once("SIGINT", stop);
      let midLine = false;
      try {
        for await (const frame of stream) {
          const env = frame.envelope;
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(env)}\n`);
          } else if (frame.event === "agent.response.delta") {
            const p = (env.payload ?? {}) as { delta?: unknown; data?: unknown };
            if (typeof p.delta === "string") {
              process.stdout.write(p.delta);
              midLine = true;
            }
            if (p.data !== undefined) {
              process.stdout.write(`${midLine ? "\n" : ""}${JSON.stringify(p.data)}\n`);
              midLine = false;
            }
          } else if (frame.event === "agent.response.started") {
            process.stderr.write(`[started, stream ${stream.streamId ?? "?"}]\n`);
          } else if (frame.event !== "agent.response.error") {
            if (midLine) process.stdout.write("\n");
            midLine = false;
            const payload = frame.event === "agent.response.final" ? ((env.payload as { result?: unknown } | undefined)?.result ?? env.payload) : env.payload;
            if (payload !== undefined) process.stdout.write(`${frame.event === "agent.response.final" ? "" : `[${frame.event}] `}${readable(payload)}\n`);
          }
          if (frame.event === "agent.response.error") {
            if (midLine) process.stdout.write("\n");
            throw errorFromPayload(env.payload);
          }
        }
      } finally {
        process.off("SIGINT", stop);
      }
    });
  });

  addHttpOptions(
    http
      .command("emit")
      .description("POST /v1/events/{event_type} and print the event id")
      .argument("<event_type>", "event type")
      .argument("[json]", "event body as JSON"),
  ).action(async (eventType: string, json: string | undefined, opts: HttpOptions) => {
    await run("emit", async () => {
      const { event_id } = await clientOf(opts).emit(eventType, payloadArg(json), callOptions(opts));
      // a deployed gateway may accept the event without naming it (202, empty body)
      if (opts.json) process.stdout.write(`${JSON.stringify({ event_id: event_id ?? null })}\n`);
      else process.stdout.write(`${event_id ?? "accepted (the gateway named no event id)"}\n`);
    });
  });

  http
    .command("health")
    .description("GET /healthz and /readyz; exit 0 healthy and ready, 1 down or not ready, 2 unreachable, 3 no health route")
    .option("--url <url>", "gateway base URL", "http://127.0.0.1:8080")
    .action(async (opts: { url: string }) => {
      await run("health", async () => {
        const report = await new GatewayClient({ url: opts.url }).checkHealth();
        process.stdout.write(`healthz: ${HEALTHZ_TEXT[report.healthz]}\nreadyz: ${READYZ_TEXT[report.readyz]}\n`);
        process.exitCode = healthExitCode(report);
      });
    });
}

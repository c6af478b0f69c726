/**
 * `oaio invoke <target> <json>`: one request-reply against a NATS server. This file also holds
 * what the bus client commands (invoke, stream, publish, subscribe) share: NATS options, JSON
 * arguments, output and exit codes (0 ok, 1 an error answer, 2 usage or connection error).
 */
import { chainOf } from "../../runtime/orchestration/handoff-wire.js";
import { InvalidArgumentError, type Command } from "commander";
import { AcpError } from "../../runtime/errors.js";
import { createBus, errorFromReply, isErrorReply, resultOf, type Bus, type OutboundMiddleware } from "../../runtime/bus/index.js";
import { connectNats, type Transport } from "../../runtime/transport/index.js";
import type { Envelope } from "../../generated/ts/types.js";

/** Options every bus client command takes. */
export interface BusClientOptions {
  nats: string;
  prefix: string;
  tenant?: string;
  agent: string;
  session?: string;
  timeout: string;
  json?: boolean;
}

/** A usage mistake: exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** URL schemes `--nats` takes (the Node NATS client speaks the NATS protocol over TCP, optionally TLS). */
export const NATS_SCHEMES = ["nats", "tls"] as const;

/**
 * Parses a `--nats` value: `nats://host:port`, `tls://host:port` or a bare `host:port`, comma
 * separated for several servers. Any other scheme (`http://`, `ws://`, …) is a usage error
 * naming the accepted ones: the client would otherwise try it as NATS and fail obscurely.
 */
export function parseNatsUrl(text: string): string {
  for (const server of text.split(",")) {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(server.trim())?.[1];
    if (server.trim() === "" || (scheme !== undefined && !(NATS_SCHEMES as readonly string[]).includes(scheme.toLowerCase()))) {
      throw new InvalidArgumentError(
        `--nats takes ${NATS_SCHEMES.map((s) => `${s}://host:port`).join(" or ")} (or host:port), got ${JSON.stringify(server)}; for an HTTP gateway use \`oaio http … --url\``,
      );
    }
  }
  return text;
}

/**
 * Connects for a CLI command: `maxReconnectAttempts` 0 and a connect timeout of at most 10 s.
 * A failure is a {@link UsageError} (exit 2) carrying the transport's message once.
 */
export async function connectCli(command: string, servers: string, timeoutMs: number): Promise<Transport> {
  try {
    return await connectNats({ servers, name: `oaio ${command}`, maxReconnectAttempts: 0, timeoutMs: Math.min(timeoutMs, 10_000) });
  } catch (err: unknown) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)} (is a NATS server running there? start one, or pass --nats URL)`);
  }
}

/**
 * Runs `build` over an open transport; errors of `build` (a bad --tenant or --prefix) are usage
 * errors (exit 2). createBus already starts closing a transport it owns when it throws; this
 * awaits that close (close is idempotent) so the command ends only once the connection is gone.
 */
export async function overTransport<T>(transport: Transport, build: () => T): Promise<T> {
  try {
    return build();
  } catch (err: unknown) {
    await transport.close();
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Adds the shared options to a bus client command. */
export function addBusClientOptions(cmd: Command): Command {
  return cmd
    .option("--nats <url>", "NATS server URL", parseNatsUrl, "nats://127.0.0.1:4222")
    .option("--prefix <prefix>", "subject prefix", "acp.v1")
    .option("--tenant <tenant>", "tenant id (routes to tenant-scoped subjects)")
    .option("--agent <id>", "this client's agent id (`from` of what it sends)", "oaio-cli")
    .option("--session <id>", "session_id of the envelopes sent")
    .option("--timeout <ms>", "how long to wait, in ms", "30000")
    .option("--json", "print envelopes as JSON lines instead of readable text");
}

/** Parses a JSON command-line argument; a mistake is a UsageError naming the argument. */
export function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err: unknown) {
    throw new UsageError(`${what} is not JSON (${err instanceof Error ? err.message : String(err)}): ${text}`);
  }
}

/** A positive integer option. */
export function parseMs(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive integer number of ms, got ${text}`);
  return n;
}

/** Renders a value for people: strings as they are, anything else as indented JSON. */
export function readable(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? "undefined");
}

/** Records the envelopes a bus sends (an outbound middleware). */
export function captureSent(into: Envelope[]): OutboundMiddleware {
  return (next) => (env, call) => {
    into.push(env);
    return next(env, call);
  };
}

/**
 * Connects to NATS, runs `fn` with a bus, then closes both. Sets process.exitCode: 0, 1 for an
 * error answer (an AcpError from the peer or the bus), 2 for usage and connection errors.
 */
export async function runClient(command: string, opts: BusClientOptions, fn: (bus: Bus) => Promise<void>, outbound: OutboundMiddleware[] = []): Promise<void> {
  let bus: Bus | undefined;
  try {
    const timeoutMs = parseMs(opts.timeout, "--timeout");
    const transport = await connectCli(command, opts.nats, timeoutMs);
    bus = await overTransport(transport, () =>
      createBus({
        agentId: opts.agent,
        transport,
        ownsTransport: true,
        prefix: opts.prefix,
        tenant: opts.tenant,
        defaultTimeoutMs: timeoutMs,
        middleware: { outbound },
      }),
    );
    await fn(bus);
    process.exitCode ??= 0;
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError) {
      process.stderr.write(`oaio ${command}: ${message}\n`);
      process.exitCode = 2;
    } else if (err instanceof AcpError) {
      process.stderr.write(`oaio ${command}: ${err.code}: ${message}\n`);
      process.exitCode = err.code === "INVALID_REQUEST" && err.details?.["token"] !== undefined ? 2 : 1;
    } else {
      process.stderr.write(`oaio ${command}: ${message}\n`);
      process.exitCode = 2;
    }
  } finally {
    await bus?.close();
  }
}

/** Session context from `--session`. */
export function contextOf(opts: BusClientOptions): { session_id?: string } {
  return opts.session === undefined ? {} : { session_id: opts.session };
}

/** Registers `oaio invoke`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("invoke")
      .description("send one request to an agent over NATS and print its answer")
      .argument("<target>", "target to invoke: an agent id, or dotted like openclaw.chat")
      .argument("[json]", "request payload as JSON", "null"),
  ).action(async (target: string, json: string, opts: BusClientOptions) => {
    await runClient("invoke", opts, async (bus) => {
      const payload = parseJsonArg(json, "the request payload");
      const reply = await bus.invokeEnvelope(target, payload, { context: contextOf(opts) });
      if (opts.json) process.stdout.write(`${JSON.stringify(reply)}\n`);
      if (isErrorReply(reply)) throw errorFromReply(reply);
      if (!opts.json) {
        const result = resultOf(reply);
        process.stdout.write(`${result === undefined ? "(no result)" : readable(result)}\n`);
        const chain = chainOf(reply);
        if (chain !== undefined) process.stderr.write(`[answered by ${chain[chain.length - 1]} after a handoff: ${chain.join(" -> ")}]\n`);
      }
    });
  });
}

/**
 * `oaio serve`: an embedded runtime with demo agents — `echo` (invoke), `writer` (streams the
 * words of a text, one token at a time) and `listener` (logs every event) — on the memory
 * transport, or on NATS with `--nats URL`. Prints what to try next, runs until Ctrl-C.
 *
 * Extensions (the HTTP gateway) attach to the {@link ServeRuntime}: see the HOOK in register().
 */
import type { Command } from "commander";
import { relative } from "node:path";
import { createBus, type Bus, type BusLogger } from "../../runtime/bus/index.js";
import { connectNats, createMemoryTransport, type Transport } from "../../runtime/transport/index.js";
import { attachGateway } from "./gateway-serve.js";
import { parseNatsUrl } from "./invoke.js";

/** What serve runs; extensions such as the HTTP gateway attach here. */
export interface ServeRuntime {
  readonly transport: Transport;
  /** `memory` or the NATS URL. */
  readonly where: string;
  readonly prefix: string;
  readonly tenant: string | undefined;
  /** The command that runs this CLI (`oaio`, `npx tsx bin/oaio.ts`, …), for printed hints. */
  readonly cli: string;
  /** Lines printed under "Try:" (extensions add theirs, e.g. curl commands). */
  readonly hints: string[];
  /** A new bus on the runtime's transport, closed when serve stops. */
  bus(agentId: string): Bus;
  /** Runs `fn` when serve stops, before the buses and the transport close (last added runs first). */
  onClose(fn: () => Promise<void>): void;
  /** Stops everything. Idempotent. */
  close(): Promise<void>;
}

export interface ServeOptions {
  nats?: string;
  prefix?: string;
  tenant?: string;
  /** Token delay of the writer agent, ms. Default 40. */
  tokenDelayMs?: number;
  /** Where the listener and status lines go. Default stdout. */
  out?: (line: string) => void;
}

const DEFAULT_NATS = "nats://127.0.0.1:4222";

/** How the user ran this CLI, for hints. */
export function cliName(): string {
  const script = process.argv[1] ?? "oaio";
  const rel = relative(process.cwd(), script) || script;
  if (script.endsWith(".ts")) return `npx tsx ${rel}`;
  if (/(^|\/)oaio$/.test(script)) return "oaio";
  return `node ${rel}`;
}

/** Resolves after `ms` or as soon as `signal` aborts; leaves neither the timer nor the abort listener behind. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/** Starts the transport and the demo agents. */
export async function startServe(opts: ServeOptions = {}): Promise<ServeRuntime> {
  const out = opts.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const transport = opts.nats === undefined ? createMemoryTransport() : await connectNats({ servers: opts.nats, name: "oaio serve" });
  const prefix = opts.prefix ?? "acp.v1";
  const buses: Bus[] = [];
  const closers: (() => Promise<void>)[] = [];
  const logger: BusLogger = {
    warn: (fields, msg) => out(`[warn] ${msg} ${JSON.stringify(fields)}`),
    error: (fields, msg) => out(`[error] ${msg} ${JSON.stringify(fields)}`),
  };
  let closing: Promise<void> | undefined;
  const runtime: ServeRuntime = {
    transport,
    where: opts.nats ?? "memory",
    prefix,
    tenant: opts.tenant,
    cli: cliName(),
    hints: [],
    bus(agentId) {
      const bus = createBus({ agentId, transport, prefix, tenant: opts.tenant, logger });
      buses.push(bus);
      return bus;
    },
    onClose(fn) {
      closers.push(fn);
    },
    close() {
      closing ??= (async () => {
        for (const fn of closers.reverse()) await fn();
        await Promise.all(buses.map((b) => b.close()));
        await transport.close();
      })();
      return closing;
    },
  };

  try {
    await startAgents(runtime, opts.tokenDelayMs ?? 40, out);
  } catch (err: unknown) {
    // a refused --tenant or --prefix: close what is open so the process can exit
    await runtime.close();
    throw err;
  }
  return runtime;
}

/** The demo agents on `runtime`. */
async function startAgents(runtime: ServeRuntime, tokenDelayMs: number, out: (line: string) => void): Promise<void> {
  const echo = runtime.bus("echo");
  echo.handleInvoke("echo", async (payload, ctx) => {
    await echo.publish("demo.echoed", { from: ctx.envelope.from ?? null });
    return { echo: payload, from: ctx.envelope.from, session_id: ctx.envelope.session_id };
  });

  const writer = runtime.bus("writer");
  writer.handleStream<{ text?: unknown } | null>("writer", async (req, w) => {
    const text = typeof req?.text === "string" ? req.text : "OpenAgentIO streams tokens between agents, in order, with backpressure and cancel.";
    const tokens = text.split(/(?<=\s)/);
    await w.started({ tokens: tokens.length });
    for (const token of tokens) {
      if (w.signal.aborted) return;
      await w.delta(token);
      await sleep(tokenDelayMs, w.signal);
    }
    await w.final({ tokens: tokens.length });
  });

  const listener = runtime.bus("listener");
  listener.subscribe(">", (payload, ctx) => {
    out(`[listener] ${ctx.envelope.event_type} from=${ctx.envelope.from ?? "?"} ${JSON.stringify(payload ?? null)}`);
  });
  await runtime.transport.flush();
}

/** The options a client command needs to reach serve's agents: --nats, --prefix, --tenant when not the defaults. */
export function cliFlags(runtime: Pick<ServeRuntime, "prefix" | "tenant">, nats: string | undefined): string {
  const quote = (v: string): string => (/^[\w.:/@,=+-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  return [
    nats === undefined || nats === DEFAULT_NATS ? "" : ` --nats ${quote(nats)}`,
    runtime.prefix === "acp.v1" ? "" : ` --prefix ${quote(runtime.prefix)}`,
    runtime.tenant === undefined ? "" : ` --tenant ${quote(runtime.tenant)}`,
  ].join("");
}

/** The "what to try next" text. */
function hints(runtime: ServeRuntime, nats: string | undefined): string[] {
  if (nats === undefined) {
    return [
      `These agents live in this process (memory transport). To call them from other processes, run:`,
      `  nats-server &   # or any NATS server`,
      `  ${runtime.cli} serve --nats ${DEFAULT_NATS}${cliFlags(runtime, undefined)}`,
      ...runtime.hints,
    ];
  }
  const flag = cliFlags(runtime, nats);
  const c = runtime.cli;
  return [
    `Try, in another terminal:`,
    `  ${c} invoke echo '{"hello":"world"}'${flag}`,
    `  ${c} stream writer '{"text":"one two three"}'${flag}`,
    `  ${c} publish demo.greeting '{"hi":1}'${flag}`,
    `  ${c} subscribe '>'${flag}`,
    ...runtime.hints,
  ];
}

/** On the memory transport nothing outside can reach the agents: show them working once. */
async function selfDemo(runtime: ServeRuntime, out: (line: string) => void): Promise<void> {
  const client = runtime.bus("demo-client");
  const answer = await client.invoke("echo", { hello: "world" });
  out(`demo: invoke echo {"hello":"world"} → ${JSON.stringify(answer)}`);
  let text = "";
  for await (const frame of client.streamInvoke("writer", { text: "one two three" })) {
    if (frame.type === "delta") text += frame.delta ?? "";
  }
  out(`demo: stream writer {"text":"one two three"} → ${JSON.stringify(text)}`);
}

interface ServeCliOptions {
  nats?: string;
  prefix: string;
  tenant?: string;
  http?: string;
}

/** Registers `oaio serve`. */
export function register(program: Command): void {
  program
    .command("serve")
    .description("run an embedded runtime with demo agents (echo, writer, listener) on the memory transport or NATS")
    .option("--nats <url>", "serve on this NATS server instead of the in-process memory transport", parseNatsUrl)
    .option("--prefix <prefix>", "subject prefix", "acp.v1")
    .option("--tenant <tenant>", "serve one tenant's subjects")
    .option("--http <[host:]port>", "also serve the HTTP/SSE gateway there (port 0: a free one)")
    .action(async (opts: ServeCliOptions) => {
      const out = (line: string): void => void process.stdout.write(`${line}\n`);
      let runtime: ServeRuntime;
      try {
        runtime = await startServe({ nats: opts.nats, prefix: opts.prefix, tenant: opts.tenant, out });
        if (opts.http !== undefined)
          await attachGateway(runtime, opts.http).catch(async (err: unknown) => {
            await runtime.close();
            throw err;
          });
      } catch (err: unknown) {
        process.stderr.write(`oaio serve: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
        return;
      }
      // ---- HOOK (HTTP gateway): add `.option("--http <port>", …)` above, then start the gateway here
      // on `runtime`: take a bus with runtime.bus("gateway"), register its close with
      // runtime.onClose(…), and push its curl examples onto runtime.hints before they are printed.

      out(`oaio serve: ready on ${runtime.where} (prefix ${runtime.prefix}${runtime.tenant === undefined ? "" : `, tenant ${runtime.tenant}`})`);
      out(`  echo      invoke  answers with the request it got`);
      out(`  writer    stream  streams the words of {"text": "..."} one token at a time`);
      out(`  listener  events  logs every event`);
      if (opts.nats === undefined) await selfDemo(runtime, out);
      for (const line of hints(runtime, opts.nats)) out(line);
      out(`Ctrl-C stops.`);
      // Signal listeners do not keep the event loop alive (the memory transport holds no socket).
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      clearInterval(keepAlive);
      out("oaio serve: stopping");
      await runtime.close();
      process.exitCode = 0;
    });
}

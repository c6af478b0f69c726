/**
 * `oaio streams ensure|ls|info --nats URL`: the JetStream streams of a prefix
 * (spec/jetstream.md "Layout"). Also holds what the durable commands (publish --durable,
 * subscribe --durable, replay, dlq) share: connecting a bus with its durable side. The
 * JetStream code (optional peer @nats-io/jetstream) is imported only when such a command runs.
 */
import type { Command } from "commander";
import { AcpError } from "../../runtime/errors.js";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import type { DurableBus } from "../../runtime/jetstream/index.js";
import { streamLayout, type StreamLayout } from "../../runtime/jetstream/layout.js";
import { addBusClientOptions, connectCli, overTransport, parseMs, UsageError, type BusClientOptions } from "./invoke.js";
import { JETSTREAM_PACKAGES, loadOptional } from "./usage.js";

/** runtime/jetstream, loaded by {@link runDurable}. */
export type JetStream = typeof import("../../runtime/jetstream/index.js");

/** Options of the durable commands. */
export interface DurableCliOptions extends BusClientOptions {
  /** Tenants of the layout, comma-separated (streams ensure); default the --tenant. */
  tenants?: string;
  replicas?: string;
}

/** The layout the durable commands use: --prefix, --tenants (or --tenant), --replicas. */
export function layoutOf(opts: DurableCliOptions): StreamLayout {
  const tenants =
    opts.tenants !== undefined
      ? opts.tenants
          .split(",")
          .map((t) => t.trim())
          .filter((t) => t !== "")
      : opts.tenant === undefined
        ? []
        : [opts.tenant];
  const replicas = opts.replicas === undefined ? 1 : Number(opts.replicas);
  if (!Number.isSafeInteger(replicas) || replicas < 1) throw new UsageError(`--replicas must be a positive integer, got ${opts.replicas}`);
  return streamLayout({ prefix: opts.prefix, tenants, replicas });
}

/**
 * Connects, runs `fn` with a bus and its durable side, closes both. Exit codes: 0 ok; 1 a
 * runtime failure reported by the server (missing stream, JetStream off, no PubAck); 2 usage
 * or connection errors, and @nats-io/jetstream not installed (`feature`, e.g. `--durable`,
 * names the option that needs it).
 */
export async function runDurable(
  command: string,
  opts: DurableCliOptions,
  fn: (durable: DurableBus, bus: Bus, js: JetStream) => Promise<void>,
  feature?: string,
): Promise<void> {
  let bus: Bus | undefined;
  let durable: DurableBus | undefined;
  try {
    const js = await loadOptional(JETSTREAM_PACKAGES, () => import("../../runtime/jetstream/index.js"), feature);
    const timeoutMs = parseMs(opts.timeout, "--timeout");
    const layout = layoutOf(opts);
    const transport = await connectCli(command, opts.nats, timeoutMs);
    bus = await overTransport(transport, () =>
      createBus({ agentId: opts.agent, transport, ownsTransport: true, prefix: opts.prefix, tenant: opts.tenant, defaultTimeoutMs: timeoutMs }),
    );
    durable = js.createDurableBus({ bus, layout, publish: { ackTimeoutMs: Math.min(timeoutMs, 10_000) } });
    await fn(durable, bus, js);
    process.exitCode ??= 0;
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError) {
      process.stderr.write(`oaio ${command}: ${message}\n`);
      process.exitCode = 2;
    } else if (err instanceof AcpError) {
      process.stderr.write(`oaio ${command}: ${err.code}: ${message}\n`);
      process.exitCode = err.code === "INVALID_REQUEST" ? 2 : 1;
    } else {
      process.stderr.write(`oaio ${command}: ${message}\n`);
      process.exitCode = 2;
    }
  } finally {
    await durable?.close();
    await bus?.close();
  }
}

/** Adds the layout options. */
export function addLayoutOptions(cmd: Command): Command {
  return cmd
    .option("--tenants <list>", "tenants whose subjects the streams capture, comma-separated (default: --tenant)")
    .option("--replicas <n>", "stream replicas (3 on a 3-node cluster)", "1");
}

/** Registers `oaio streams`. */
export function register(program: Command): void {
  const streams = program.command("streams").description("JetStream streams of a subject prefix: events, dead letters, work queue");
  addLayoutOptions(addBusClientOptions(streams.command("ensure").description("create or update the prefix's streams (idempotent)"))).action(
    async (opts: DurableCliOptions) => {
      await runDurable("streams ensure", opts, async (durable, _bus, js) => {
        const result = await js.ensureStreams(durable.connection, durable.layout);
        for (const r of result) {
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
          else process.stdout.write(`${r.name.padEnd(24)} ${r.action}${r.changed.length > 0 ? ` (${r.changed.join(", ")})` : ""}\n`);
        }
      });
    },
  );
  addBusClientOptions(streams.command("ls").description("list every stream on the server")).action(async (opts: DurableCliOptions) => {
    await runDurable("streams ls", opts, async (durable, _bus, js) => {
      for (const s of await js.listStreams(durable.connection)) {
        if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else process.stdout.write(`${s.name.padEnd(24)} ${String(s.messages).padStart(10)} msgs  R${s.replicas}  ${s.subjects.join(" ")}\n`);
      }
    });
  });
  addBusClientOptions(streams.command("info").description("one stream (default: the events stream of --prefix)").argument("[name]", "stream name")).action(
    async (name: string | undefined, opts: DurableCliOptions) => {
      await runDurable("streams info", opts, async (durable, _bus, js) => {
        const s = await js.streamInfo(durable.connection, name ?? durable.layout.events.name);
        process.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : `${JSON.stringify(s, null, 2)}\n`);
      });
    },
  );
}

/**
 * `oaio subscribe <pattern>`: prints the events matching an event-type pattern until
 * interrupted. With `--durable NAME`, joins JetStream consumer group NAME: each event is
 * printed (one JSON line with --json), then acknowledged; processes with the same NAME share
 * the work, and what one did not acknowledge goes to another after the ack wait.
 */
import type { Command } from "commander";
import type { Envelope } from "../../generated/ts/types.js";
import type { StartPoint } from "../../runtime/jetstream/index.js";
import { addBusClientOptions, runClient, UsageError, type BusClientOptions } from "./invoke.js";
import { runDurable, type DurableCliOptions } from "./streams.js";

interface SubscribeCliOptions extends BusClientOptions, DurableCliOptions {
  queue?: string;
  count?: string;
  durable?: string;
  start?: string;
  ackWait?: string;
  maxDeliver?: string;
}

function parseStart(text: string | undefined): StartPoint {
  if (text === undefined || text === "all") return { from: "all" };
  if (text === "new" || text === "last") return { from: text };
  if (text.startsWith("seq:") && /^seq:[1-9][0-9]*$/.test(text)) return { from: "seq", seq: Number(text.slice(4)) };
  if (text.startsWith("time:") && !Number.isNaN(new Date(text.slice(5)).getTime())) return { from: "time", time: text.slice(5) };
  throw new UsageError(`--start must be all, new, last, seq:N or time:RFC3339, got ${text}`);
}

function positive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer, got ${text}`);
  return n;
}

function line(env: Envelope, json: boolean | undefined, extra: string): string {
  if (json) return `${JSON.stringify(env)}\n`;
  const time = env.occurred_at.slice(11, 23);
  const who = env.from === undefined ? "" : ` from=${env.from}`;
  const tenant = env.tenant_id === undefined ? "" : ` tenant=${env.tenant_id}`;
  return `${time} ${env.event_type}${who}${tenant}${extra} ${JSON.stringify(env.payload ?? null)}\n`;
}

/** Waits until `text` is handed to stdout (so an ack never precedes the printed line). */
function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

async function subscribeDurable(pattern: string, name: string, opts: SubscribeCliOptions): Promise<void> {
  await runDurable(
    "subscribe",
    opts,
    async (durable) => {
      const limit = positive(opts.count, "--count") ?? Number.POSITIVE_INFINITY;
      const start = parseStart(opts.start);
      const ackWaitMs = positive(opts.ackWait, "--ack-wait");
      const maxDeliver = positive(opts.maxDeliver, "--max-deliver");
      let seen = 0;
      let closeSub: (() => Promise<void>) | undefined;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const sub = await durable.subscribe(
        pattern,
        name,
        async (_payload, ctx) => {
          if (seen >= limit) throw new Error("--count reached: left for another member");
          seen++;
          await print(line(ctx.envelope, opts.json, ` seq=${ctx.streamSequence}`));
          if (seen >= limit) {
            // stop pulling now; this handler returns and its message is acked before close() resolves
            void closeSub?.();
            done();
          }
        },
        {
          start,
          maxInFlight: 1,
          ...(ackWaitMs === undefined ? {} : { ackWaitMs }),
          ...(maxDeliver === undefined ? {} : { maxDeliver }),
          backoffMs: [0],
          deadLetter: false,
        },
      );
      closeSub = () => sub.close();
      process.stderr.write(`consumer ${name} on ${sub.filterSubject} (${sub.stream}) (Ctrl-C to stop)\n`);
      try {
        await untilDoneOrSignal(finished, done);
      } finally {
        await sub.close();
      }
    },
    "--durable",
  );
}

/** Waits for `finished`; SIGINT or SIGTERM call `done` (which settles it) in the meantime. */
async function untilDoneOrSignal(finished: Promise<void>, done: () => void): Promise<void> {
  process.once("SIGINT", done);
  process.once("SIGTERM", done);
  try {
    await finished;
  } finally {
    process.off("SIGINT", done);
    process.off("SIGTERM", done);
  }
}

/** Registers `oaio subscribe`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("subscribe")
      .description("print events whose type matches <pattern> (wildcards * and >) until Ctrl-C")
      .argument("[pattern]", "event type pattern, e.g. orders.* or >", ">")
      .option("--queue <group>", "join a queue group (each event goes to one member)")
      .option("--count <n>", "exit after this many events")
      .option("--durable <name>", "join JetStream consumer group <name>: print, then acknowledge each event")
      .option("--start <point>", "with --durable, where a new group starts: all, new, last, seq:N, time:RFC3339", "all")
      .option("--ack-wait <ms>", "with --durable, redeliver to another member after this long without an ack")
      .option("--max-deliver <n>", "with --durable, deliveries before a message is given up"),
  ).action(async (pattern: string, opts: SubscribeCliOptions) => {
    if (opts.durable !== undefined) {
      await subscribeDurable(pattern, opts.durable, opts);
      return;
    }
    await runClient("subscribe", opts, async (bus) => {
      const limit = opts.count === undefined ? Number.POSITIVE_INFINITY : Number(opts.count);
      if (!(limit > 0)) throw new UsageError(`--count must be a positive number, got ${opts.count}`);
      let seen = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const sub = bus.subscribe(
        pattern,
        (payload, ctx) => {
          if (seen >= limit) return;
          seen++;
          const env = ctx.envelope;
          if (opts.json) process.stdout.write(`${JSON.stringify(env)}\n`);
          else {
            const time = env.occurred_at.slice(11, 23);
            const who = env.from === undefined ? "" : ` from=${env.from}`;
            const tenant = env.tenant_id === undefined ? "" : ` tenant=${env.tenant_id}`;
            process.stdout.write(`${time} ${env.event_type}${who}${tenant} ${JSON.stringify(payload ?? null)}\n`);
          }
          if (seen >= limit) done();
        },
        opts.queue === undefined ? {} : { queue: opts.queue },
      );
      await bus.transport.flush();
      process.stderr.write(`listening on ${sub.subject} (Ctrl-C to stop)\n`);
      await untilDoneOrSignal(finished, done);
    });
  });
}

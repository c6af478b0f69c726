/** `oaio subscribe <pattern>`: prints the events matching an event-type pattern until interrupted. */
import type { Command } from "commander";
import { addBusClientOptions, runClient, UsageError, type BusClientOptions } from "./invoke.js";

interface SubscribeCliOptions extends BusClientOptions {
  queue?: string;
  count?: string;
}

/** Registers `oaio subscribe`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("subscribe")
      .description("print events whose type matches <pattern> (wildcards * and >) until Ctrl-C")
      .argument("[pattern]", "event type pattern, e.g. orders.* or >", ">")
      .option("--queue <group>", "join a queue group (each event goes to one member)")
      .option("--count <n>", "exit after this many events"),
  ).action(async (pattern: string, opts: SubscribeCliOptions) => {
    await runClient("subscribe", opts, async (bus) => {
      const limit = opts.count === undefined ? Infinity : Number(opts.count);
      if (!(limit > 0)) throw new UsageError(`--count must be a positive number, got ${opts.count}`);
      let seen = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const sub = bus.subscribe(pattern, (payload, ctx) => {
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
      }, opts.queue === undefined ? {} : { queue: opts.queue });
      await bus.transport.flush();
      process.stderr.write(`listening on ${sub.subject} (Ctrl-C to stop)\n`);
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
      try {
        await finished;
      } finally {
        process.off("SIGINT", done);
        process.off("SIGTERM", done);
      }
    });
  });
}

/** `oaio replay --nats URL (--from-seq N | --since RFC3339) [pattern] [--json]`: stored events in order, for audit and debugging. */
import type { Command } from "commander";
import { addBusClientOptions, UsageError } from "./invoke.js";
import { runDurable, type DurableCliOptions } from "./streams.js";

interface ReplayCliOptions extends DurableCliOptions {
  fromSeq?: string;
  since?: string;
  limit?: string;
}

/** Registers `oaio replay`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("replay")
      .description("print stored events from a stream sequence or a time, in order, then exit")
      .argument("[pattern]", "event type pattern, e.g. orders.* or >", ">")
      .option("--from-seq <n>", "start at this stream sequence")
      .option("--since <time>", "start at this RFC 3339 time")
      .option("--limit <n>", "stop after this many events"),
  ).action(async (pattern: string, opts: ReplayCliOptions) => {
    await runDurable("replay", opts, async (durable) => {
      if ((opts.fromSeq === undefined) === (opts.since === undefined)) throw new UsageError("give exactly one of --from-seq N and --since RFC3339");
      const fromSeq = opts.fromSeq === undefined ? undefined : Number(opts.fromSeq);
      if (fromSeq !== undefined && (!Number.isSafeInteger(fromSeq) || fromSeq < 1))
        throw new UsageError(`--from-seq must be a positive integer, got ${opts.fromSeq}`);
      if (opts.since !== undefined && Number.isNaN(new Date(opts.since).getTime()))
        throw new UsageError(`--since must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z, got ${opts.since}`);
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) throw new UsageError(`--limit must be a positive integer, got ${opts.limit}`);
      const from = fromSeq !== undefined ? { fromSeq } : { since: opts.since! };
      for await (const m of durable.replay({ ...from, pattern, ...(limit === undefined ? {} : { limit }) })) {
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ seq: m.seq, subject: m.subject, stored_at: m.storedAt, envelope: m.envelope ?? null, ...(m.decodeError === undefined ? {} : { decode_error: m.decodeError, data: Buffer.from(m.data).toString("base64") }) })}\n`,
          );
        } else {
          const env = m.envelope;
          process.stdout.write(
            `${String(m.seq).padStart(8)} ${m.storedAt} ${env === undefined ? `(undecodable: ${m.decodeError})` : `${env.event_type} ${env.event_id} ${JSON.stringify(env.payload ?? null)}`}\n`,
          );
        }
      }
    });
  });
}

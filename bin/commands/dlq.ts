/** `oaio dlq ls|show|replay --nats URL`: inspect dead letters and re-drive them (spec/jetstream.md "Dead letters"). */
import type { Command } from "commander";
import type { DeadLetter } from "../../runtime/jetstream/index.js";
import { addBusClientOptions, UsageError } from "./invoke.js";
import { addLayoutOptions, runDurable, type DurableCliOptions } from "./streams.js";

interface DlqCliOptions extends DurableCliOptions {
  limit?: string;
  all?: boolean;
}

function view(l: DeadLetter): Record<string, unknown> {
  return {
    dlq_seq: l.dlqSeq,
    dlq_subject: l.dlqSubject,
    stored_at: l.storedAt,
    original: l.original,
    consumer: l.consumer,
    deliveries: l.deliveries,
    error_code: l.errorCode,
    error: l.error,
    failed_at: l.failedAt,
    event_id: l.eventId ?? null,
    event_type: l.eventType ?? null,
    envelope: l.envelope ?? null,
    ...(l.envelope === undefined ? { data: Buffer.from(l.data).toString("base64") } : {}),
  };
}

function seqArg(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`<seq> must be a positive integer (a DLQ stream sequence from \`oaio dlq ls\`), got ${text}`);
  return n;
}

/** Registers `oaio dlq`. */
export function register(program: Command): void {
  const dlq = program.command("dlq").description("dead letters in the DLQ stream of --prefix");
  addLayoutOptions(
    addBusClientOptions(
      dlq
        .command("ls")
        .description("list dead letters, oldest first")
        .argument("[event_type]", "only this event type (pattern)")
        .option("--limit <n>", "at most this many", "100"),
    ),
  ).action(async (eventType: string | undefined, opts: DlqCliOptions) => {
    await runDurable("dlq ls", opts, async (durable) => {
      const limit = Number(opts.limit);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit must be an integer in 1..10000, got ${opts.limit}`);
      const letters = await durable.deadLetters.list({ limit, ...(eventType === undefined ? {} : { eventType }) });
      for (const l of letters) {
        if (opts.json) process.stdout.write(`${JSON.stringify(view(l))}\n`);
        else
          process.stdout.write(
            `${String(l.dlqSeq).padStart(6)} ${l.failedAt} ${l.eventType ?? "(undecodable)"} ${l.eventId ?? ""} ${l.errorCode}: ${l.error} (consumer ${l.consumer}, ${l.deliveries} deliveries, from ${l.original.stream}#${l.original.seq})\n`,
          );
      }
      if (!opts.json && letters.length === 0) process.stderr.write("no dead letters\n");
    });
  });
  addBusClientOptions(dlq.command("show").description("one dead letter with its envelope").argument("<seq>", "DLQ stream sequence")).action(
    async (seq: string, opts: DlqCliOptions) => {
      await runDurable("dlq show", opts, async (durable) => {
        const letter = await durable.deadLetters.show(seqArg(seq));
        if (letter === undefined) {
          process.stderr.write(`oaio dlq show: no dead letter with sequence ${seq} in ${durable.layout.dlq.name}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(opts.json ? `${JSON.stringify(view(letter))}\n` : `${JSON.stringify(view(letter), null, 2)}\n`);
      });
    },
  );
  addBusClientOptions(
    dlq
      .command("replay")
      .description("re-drive dead letters to their original subjects (then delete them)")
      .argument("[seq]", "DLQ stream sequence")
      .option("--all", "every dead letter"),
  ).action(async (seq: string | undefined, opts: DlqCliOptions) => {
    await runDurable("dlq replay", opts, async (durable) => {
      if ((seq === undefined) === (opts.all !== true)) throw new UsageError("give one <seq> or --all");
      const seqs = seq !== undefined ? [seqArg(seq)] : (await durable.deadLetters.list({ limit: 10_000 })).map((l) => l.dlqSeq);
      for (const s of seqs) {
        const ack = await durable.deadLetters.redrive(s);
        if (ack === undefined) {
          process.stderr.write(`oaio dlq replay: no dead letter with sequence ${s}\n`);
          process.exitCode = 1;
          continue;
        }
        if (opts.json) process.stdout.write(`${JSON.stringify({ dlq_seq: s, stream: ack.stream, seq: ack.seq, subject: ack.subject })}\n`);
        else process.stdout.write(`re-drove dead letter ${s} to ${ack.subject} (${ack.stream}#${ack.seq})\n`);
      }
    });
  });
}

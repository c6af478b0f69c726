/**
 * `oaio publish <event_type> <json>`: broadcasts one event over NATS. With `--durable`, to
 * JetStream: each publish waits for its PubAck (stream sequence), and `-` reads one JSON
 * payload per line from stdin (NDJSON), each acknowledged before the next is sent.
 */
import type { Command } from "commander";
import { createInterface } from "node:readline";
import type { Envelope } from "../../generated/ts/types.js";
import { addBusClientOptions, captureSent, contextOf, parseJsonArg, runClient, UsageError, type BusClientOptions } from "./invoke.js";
import { runDurable, type DurableCliOptions } from "./streams.js";

interface PublishCliOptions extends DurableCliOptions {
  durable?: boolean;
}

/** `--durable`: acknowledged publishes of one payload, or of each NDJSON line of stdin for `-`. */
async function publishDurable(eventType: string, json: string, opts: PublishCliOptions): Promise<void> {
  await runDurable(
    "publish",
    opts,
    async (durable) => {
      const one = async (payload: unknown): Promise<void> => {
        const ack = await durable.publish(eventType, payload, { context: contextOf(opts) });
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, event_id: ack.eventId, subject: ack.subject })}\n`,
          );
        else
          process.stdout.write(
            `published ${eventType} to ${ack.subject}: ${ack.stream} seq ${ack.seq}${ack.duplicate ? " (duplicate)" : ""} (event_id ${ack.eventId})\n`,
          );
      };
      if (json !== "-") {
        await one(parseJsonArg(json, "the event payload"));
        return;
      }
      let line = 0;
      for await (const text of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
        line++;
        if (text.trim() === "") continue;
        let payload: unknown;
        try {
          payload = JSON.parse(text) as unknown;
        } catch (err: unknown) {
          throw new UsageError(`stdin line ${line} is not JSON (${err instanceof Error ? err.message : String(err)}); earlier lines were published`);
        }
        await one(payload);
      }
    },
    "--durable",
  );
}

/** Registers `oaio publish`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("publish")
      .description("publish one event to {prefix}[.{tenant}].events.<event_type> over NATS")
      .argument("<event_type>", "event type, e.g. orders.created")
      .argument("[json]", "event payload as JSON (with --durable, `-`: one payload per stdin line)", "null")
      .option("--durable", "publish to JetStream and wait for each PubAck (prints stream sequences)"),
  ).action(async (eventType: string, json: string, opts: PublishCliOptions & BusClientOptions) => {
    if (opts.durable) {
      await publishDurable(eventType, json, opts);
      return;
    }
    const sent: Envelope[] = [];
    await runClient(
      "publish",
      opts,
      async (bus) => {
        const payload = parseJsonArg(json, "the event payload");
        await bus.publish(eventType, payload, { context: contextOf(opts) });
        await bus.transport.flush();
        const env = sent[0]!;
        if (opts.json) process.stdout.write(`${JSON.stringify(env)}\n`);
        else process.stdout.write(`published ${env.event_type} to ${bus.subjects.events(eventType, env.tenant_id)} (event_id ${env.event_id})\n`);
      },
      [captureSent(sent)],
    );
  });
}

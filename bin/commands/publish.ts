/** `oaio publish <event_type> <json>`: broadcasts one event over NATS. */
import type { Command } from "commander";
import type { Envelope } from "../../generated/ts/types.js";
import { addBusClientOptions, captureSent, contextOf, parseJsonArg, runClient, type BusClientOptions } from "./invoke.js";

/** Registers `oaio publish`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("publish")
      .description("publish one event to {prefix}[.{tenant}].events.<event_type> over NATS")
      .argument("<event_type>", "event type, e.g. orders.created")
      .argument("[json]", "event payload as JSON", "null"),
  ).action(async (eventType: string, json: string, opts: BusClientOptions) => {
    const sent: Envelope[] = [];
    await runClient("publish", opts, async (bus) => {
      const payload = parseJsonArg(json, "the event payload");
      await bus.publish(eventType, payload, { context: contextOf(opts) });
      await bus.transport.flush();
      const env = sent[0]!;
      if (opts.json) process.stdout.write(`${JSON.stringify(env)}\n`);
      else process.stdout.write(`published ${env.event_type} to ${bus.subjects.events(eventType, env.tenant_id)} (event_id ${env.event_id})\n`);
    }, [captureSent(sent)]);
  });
}

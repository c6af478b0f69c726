/** `oaio stream <target> <json>`: a stream call over NATS; prints text deltas as they arrive. */
import type { Command } from "commander";
import { answerChainOf, handoffFrameOf } from "../../runtime/orchestration/handoff-client.js";
import type { StreamFrame } from "../../runtime/bus/types.js";
import { addBusClientOptions, contextOf, parseJsonArg, parseMs, readable, runClient, type BusClientOptions } from "./invoke.js";

/** `, answered by X after a handoff: a -> X` when the terminal frame reports a chain. */
function answeredBy(frame: StreamFrame): string {
  const chain = answerChainOf(frame);
  return chain === undefined ? "" : `, answered by ${chain[chain.length - 1]} after a handoff: ${chain.join(" -> ")}`;
}

/** Registers `oaio stream`. */
export function register(program: Command): void {
  addBusClientOptions(
    program
      .command("stream")
      .description("send a stream request to an agent over NATS and print the frames as they arrive")
      .argument("<target>", "target to stream from: an agent id, or dotted like openclaw.chat")
      .argument("[json]", "request payload as JSON", "null")
      .option("--idle-timeout <ms>", "give up after this long without a frame", "30000"),
  ).action(async (target: string, json: string, opts: BusClientOptions & { idleTimeout: string }) => {
    await runClient("stream", opts, async (bus) => {
      const payload = parseJsonArg(json, "the request payload");
      const idleTimeoutMs = parseMs(opts.idleTimeout, "--idle-timeout");
      const call = bus.streamInvoke(target, payload, { context: contextOf(opts), idleTimeoutMs, yieldErrors: true });
      const stop = (): void => void call.close("interrupted");
      process.once("SIGINT", stop);
      let midLine = false;
      try {
        for await (const frame of call) {
          if (opts.json) {
            if (frame.envelope !== undefined) process.stdout.write(`${JSON.stringify(frame.envelope)}\n`);
            if (frame.type === "error") throw frame.error;
            continue;
          }
          switch (frame.type) {
            case "started":
              process.stderr.write(`[started${frame.meta === undefined ? "" : ` ${JSON.stringify(frame.meta)}`}]\n`);
              break;
            case "delta":
              if (frame.delta !== undefined) {
                process.stdout.write(frame.delta);
                midLine = true;
              }
              if (frame.data !== undefined) {
                process.stdout.write(`${midLine ? "\n" : ""}${JSON.stringify(frame.data)}\n`);
                midLine = false;
              }
              break;
            case "final":
              if (midLine) process.stdout.write("\n");
              midLine = false;
              if (frame.result !== undefined) process.stdout.write(`${readable(frame.result)}\n`);
              process.stderr.write(`[final, ${(frame.envelope.seq ?? 0) + 1} frames${answeredBy(frame)}]\n`);
              break;
            case "error":
              if (midLine) process.stdout.write("\n");
              throw frame.error;
            case "event": {
              const handoff = handoffFrameOf(frame);
              if (handoff !== undefined) {
                if (midLine) process.stdout.write("\n");
                process.stderr.write(`[handoff ${handoff.from} -> ${handoff.to}${handoff.reason === undefined ? "" : `: ${handoff.reason}`}]\n`);
                midLine = false;
                break;
              }
              process.stdout.write(`${midLine ? "\n" : ""}[${frame.envelope.event_type}] ${JSON.stringify(frame.envelope.payload ?? null)}\n`);
              midLine = false;
              break;
            }
          }
        }
      } finally {
        process.off("SIGINT", stop);
      }
    });
  });
}

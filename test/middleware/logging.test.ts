import { describe, expect, it } from "vitest";
import { pino, type Logger } from "pino";
import { AgentTimeoutError } from "../../runtime/errors.js";
import { logging } from "../../runtime/middleware/index.js";
import { useNet, waitFor } from "./net.js";

const net = useNet();

function collector(): { lines: Record<string, unknown>[]; logger: Logger } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { lines, logger };
}

describe("logging", () => {
  it("writes one structured line per handled and sent envelope, payloads redacted", async () => {
    const inLog = collector();
    const outLog = collector();
    const server = await net.bus("l-server", { middleware: { inbound: [logging({ logger: inLog.logger }).inbound] } });
    const client = await net.bus("l-client", { middleware: { outbound: [logging({ logger: outLog.logger, level: "info" }).outbound] } });
    server.handleInvoke("secret", (req: { password: string }) => ({ ok: req.password.length }), { tenant: "t1" });
    server.handleInvoke("late", () => {
      throw new AgentTimeoutError("upstream too slow");
    });
    await net.settle();
    await client.invoke("secret", { password: "hunter2" }, { metadata: { "user.note": "private", "acp.retry.attempt": 1 }, context: { tenant_id: "t1" } });
    await expect(client.invoke("late", {})).rejects.toMatchObject({ code: "AGENT_TIMEOUT" });
    await waitFor("inbound lines", () => inLog.lines.length === 2);

    const handled = inLog.lines[0]!;
    expect(handled).toMatchObject({
      level: 20,
      direction: "in",
      kind: "invoke",
      subject: "acp.v1.t1.invoke.secret",
      event_type: "agent.message.received",
      tenant_id: "t1",
      outcome: "value",
      payload: "[redacted]",
      msg: "handled",
    });
    expect(handled["metadata"]).toEqual({ "user.note": "[redacted]", "acp.retry.attempt": 1 });
    expect(typeof handled["duration_ms"]).toBe("number");
    expect(JSON.stringify(inLog.lines)).not.toContain("hunter2");
    expect(inLog.lines[1]).toMatchObject({ level: 40, outcome: "error", error: { code: "AGENT_TIMEOUT", retryable: true } });

    expect(outLog.lines[0]).toMatchObject({
      level: 30,
      direction: "out",
      kind: "invoke",
      outcome: "reply",
      reply: { event_type: "agent.response.final", payload: "[redacted]" },
    });
    expect(outLog.lines[1]).toMatchObject({ level: 40, outcome: "error", error: { code: "AGENT_TIMEOUT" } });
  });

  it("logs payloads when asked", async () => {
    const log = collector();
    const server = await net.bus("l-server2", { middleware: { inbound: [logging({ logger: log.logger, payloads: true }).inbound] } });
    const client = await net.bus("l-client2");
    server.subscribe("audit.*", () => undefined);
    await net.settle();
    await client.publish("audit.login", { user: "ada" });
    await waitFor("line", () => log.lines.length === 1);
    expect(log.lines[0]).toMatchObject({ kind: "event", outcome: "none", payload: { user: "ada" } });
  });
});

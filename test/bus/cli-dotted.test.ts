/**
 * issue 9 §6: deployed Python bridges register dotted targets (`openclaw.chat`, MCP tools as
 * `{prefix}.{tool}`); `oaio invoke` / `oaio stream` address them (over a real nats-server,
 * the CLI in its own process) and refuse a malformed one naming the bad token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { connectNats } from "../../runtime/transport/index.js";
import { createBus, type Bus } from "../../runtime/bus/index.js";

let nats: NatsServer;
let bridge: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  bridge = createBus({ agentId: "bridge", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
  bridge.handleInvoke("openclaw.chat", (p: { q?: string }) => ({ answer: `re:${p.q ?? ""}` }));
  bridge.handleStream("mcp.fs.read_file", async (_p, w) => {
    await w.delta("line 1\n");
    return { bytes: 7 };
  });
  await bridge.transport.flush();
}, 30_000);

afterAll(async () => {
  await bridge.close();
  await nats.stop();
});

describe("oaio invoke / stream with dotted targets over NATS", () => {
  it("invokes openclaw.chat and streams mcp.fs.read_file; refuses bad tokens with exit 2", async () => {
    const n = ["--nats", nats.url];
    const [invoke, stream, empty, wild, space] = await Promise.all([
      runCli(["invoke", "openclaw.chat", '{"q":"hi"}', ...n]),
      runCli(["stream", "mcp.fs.read_file", "{}", ...n]),
      runCli(["invoke", "openclaw..chat", "{}", ...n]),
      runCli(["invoke", "openclaw.*", "{}", ...n]),
      runCli(["stream", "open claw", "{}", ...n]),
    ]);
    expect(invoke.code, invoke.stderr).toBe(0);
    expect(JSON.parse(invoke.stdout)).toEqual({ answer: "re:hi" });
    expect(stream.code, stream.stderr).toBe(0);
    expect(stream.stdout).toContain("line 1");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('invalid target "openclaw..chat": token 2 is empty');
    expect(wild.code).toBe(2);
    expect(wild.stderr).toContain('invalid target "openclaw.*": wildcard "*" not allowed');
    expect(space.code).toBe(2);
    expect(space.stderr).toContain('invalid target "open claw": contains a space');
  }, 60_000);
});

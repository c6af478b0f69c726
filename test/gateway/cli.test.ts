import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InvalidRequestError } from "../../runtime/errors.js";
import { buildProgram } from "../../bin/oaio.js";
import { attachGateway, parseListen } from "../../bin/commands/gateway-serve.js";
import { startServe, type ServeRuntime } from "../../bin/commands/serve.js";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openRig, type Rig } from "./fixture.js";

/** Runs `oaio <args>` in this process (the same code as the binary, without a tsx start-up per call). */
async function runCli(args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(["node", "oaio", ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

let rig: Rig;
beforeAll(async () => {
  rig = await openRig();
  rig.agents.handleInvoke("echo", (req) => req);
  rig.agents.handleInvoke("picky", () => {
    throw new InvalidRequestError("needs a name");
  });
  rig.agents.handleStream("spell", async (req: { word: string }, w) => {
    for (const ch of req.word) await w.delta(ch);
    await w.final(req.word.length);
  });
  await rig.net.settle();
});
afterAll(async () => {
  await rig.close();
});

describe("oaio http", () => {
  it("invoke prints the reply; an error answer exits 1; a bad argument exits 2", async () => {
    const ok = await runCli(["http", "invoke", "echo", '{"a":1}', "--url", rig.url, "--json"]);
    expect(ok).toMatchObject({ code: 0, stdout: '{"a":1}\n' });
    const refused = await runCli(["http", "invoke", "picky", "{}", "--url", rig.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("INVALID_REQUEST: needs a name");
    const bad = await runCli(["http", "invoke", "echo", "{nope", "--url", rig.url]);
    expect(bad.code).toBe(2);
  });

  it("stream prints deltas as text and the final result; emit prints the event id", async () => {
    const res = await runCli(["http", "stream", "spell", '{"word":"abc"}', "--url", rig.url]);
    expect(res).toMatchObject({ code: 0, stdout: "abc\n3\n" });
    const emitted = await runCli(["http", "emit", "notes.added", '{"x":1}', "--url", rig.url]);
    expect(emitted.code).toBe(0);
    expect(emitted.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  });
});

/**
 * A stand-in for the deployed Go SDK's HTTP adapter, the outside peer `oaio http` also talks
 * to: it publishes POST /v1/events/{type} and answers 202 with an EMPTY body, and has no
 * /healthz or /readyz (Go's ServeMux answers "404 page not found"). That is the peer's
 * behaviour as observed in the field (issue 9 §6), reproduced on a real node:http server.
 */
async function startDeployedAdapter(): Promise<{ url: string; events: { type: string; body: string }[]; close(): Promise<void> }> {
  const events: { type: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const m = /^\/v1\/events\/([^/?]+)$/.exec(req.url ?? "");
      if (req.method === "POST" && m !== null) {
        events.push({ type: decodeURIComponent(m[1]!), body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202).end();
        return;
      }
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" }).end("404 page not found\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("oaio http against the deployed Go adapter's answers", () => {
  it("emit accepts 202 with an empty body: exit 0, the event was published once", async () => {
    const peer = await startDeployedAdapter();
    try {
      const text = await runCli(["http", "emit", "orders.created", '{"id":7}', "--url", peer.url]);
      expect(text).toMatchObject({ code: 0, stdout: "accepted (the gateway named no event id)\n", stderr: "" });
      const json = await runCli(["http", "emit", "orders.created", '{"id":8}', "--url", peer.url, "--json"]);
      expect(json).toMatchObject({ code: 0, stdout: '{"event_id":null}\n' });
      expect(peer.events).toEqual([
        { type: "orders.created", body: '{"id":7}' },
        { type: "orders.created", body: '{"id":8}' },
      ]);
    } finally {
      await peer.close();
    }
  });

  it('health says "no health route" (exit 3) where the route does not exist, not "down"', async () => {
    const peer = await startDeployedAdapter();
    try {
      const missing = await runCli(["http", "health", "--url", peer.url]);
      expect(missing).toMatchObject({ code: 3, stdout: "healthz: no health route\nreadyz: no readiness route\n" });
    } finally {
      await peer.close();
    }
    // the other answers keep their meaning: a real gateway is ok (0), a closed port unreachable (2)
    expect(await runCli(["http", "health", "--url", rig.url])).toMatchObject({ code: 0, stdout: "healthz: ok\nreadyz: ready\n" });
    expect(await runCli(["http", "health", "--url", peer.url])).toMatchObject({ code: 2, stdout: "healthz: unreachable\nreadyz: unreachable\n" });
  });

  it("health: a route that answers 503 is down / not ready (exit 1)", async () => {
    const failing = createServer((_req, res) => res.writeHead(503, { "content-type": "application/json" }).end('{"status":"unavailable"}'));
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    try {
      const r = await runCli(["http", "health", "--url", `http://127.0.0.1:${(failing.address() as AddressInfo).port}`]);
      expect(r).toMatchObject({ code: 1, stdout: "healthz: down\nreadyz: not ready\n" });
    } finally {
      failing.closeAllConnections();
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });
});

describe("oaio serve --http", () => {
  it("parses [host:]port", () => {
    expect(parseListen("8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(parseListen("0.0.0.0:0")).toEqual({ host: "0.0.0.0", port: 0 });
    expect(parseListen("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
    expect(() => parseListen("http")).toThrow(/--http/);
    expect(() => parseListen("70000")).toThrow(/--http/);
  });

  it("serves the demo agents over HTTP and closes the gateway with the runtime", async () => {
    let runtime: ServeRuntime | undefined;
    try {
      runtime = await startServe({ out: () => undefined, tokenDelayMs: 1 });
      const gateway = await attachGateway(runtime, "0");
      expect(runtime.hints.join("\n")).toContain(`${gateway.url}/v1/agents/writer/stream`);
      const res = await fetch(`${gateway.url}/v1/agents/echo/invoke`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"hi":1}' });
      expect(await res.json()).toMatchObject({ echo: { hi: 1 } });
      await runtime.close();
      await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    } finally {
      await runtime?.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InvalidRequestError } from "../../runtime/errors.js";
import { buildProgram } from "../../bin/oaio.js";
import { attachGateway, parseListen } from "../../bin/commands/gateway-serve.js";
import { startServe, type ServeRuntime } from "../../bin/commands/serve.js";
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

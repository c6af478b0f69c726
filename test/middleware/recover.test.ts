import { describe, expect, it } from "vitest";
import type { InboundMiddleware } from "../../runtime/bus/index.js";
import { recover } from "../../runtime/middleware/index.js";
import type { AcpError } from "../../runtime/errors.js";
import { useNet } from "./net.js";

const net = useNet();

describe("recover", () => {
  it("turns throws, rejections and throws of inner middleware into error replies; the process lives on", async () => {
    const seen: { code: string; thrown: unknown }[] = [];
    // a middleware that throws synchronously, outside any promise, for one target
    const explosive: InboundMiddleware = (next) => (env, ctx) => {
      if (env.to === "mw-bomb") throw new RangeError("middleware exploded");
      return next(env, ctx);
    };
    const server = await net.bus("server", {
      middleware: { inbound: [recover({ onError: (error, thrown) => seen.push({ code: error.code, thrown }) }), explosive] },
    });
    const client = await net.bus("client");
    server.handleInvoke("sync-throw", () => {
      throw new TypeError("bad input");
    });
    server.handleInvoke("reject", async () => Promise.reject(new Error("async failure")));
    server.handleInvoke("throw-string", () => {
      // biome-ignore lint/style/useThrowOnlyError: the test checks how recover() handles a thrown non-Error value
      throw "just a string";
    });
    server.handleInvoke("mw-bomb", () => "never");
    server.handleInvoke("ok", (req: { n: number }) => req.n + 1);
    await net.settle();

    await expect(client.invoke("sync-throw", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: "bad input" });
    await expect(client.invoke("reject", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: "async failure" });
    const stringErr = (await client.invoke("throw-string", {}).catch((e: unknown) => e)) as AcpError;
    expect(stringErr.code).toBe("AGENT_UNAVAILABLE");
    expect(stringErr.message).toContain("just a string");
    await expect(client.invoke("mw-bomb", {})).rejects.toMatchObject({ code: "AGENT_UNAVAILABLE", message: "middleware exploded" });
    expect(await client.invoke("ok", { n: 41 })).toBe(42);

    expect(seen.map((s) => s.code)).toEqual(["AGENT_UNAVAILABLE", "AGENT_UNAVAILABLE", "AGENT_UNAVAILABLE", "AGENT_UNAVAILABLE"]);
    expect(seen[0]!.thrown).toBeInstanceOf(TypeError);
    expect(seen[3]!.thrown).toBeInstanceOf(RangeError);
  });

  it("keeps catalogue codes of AcpErrors and uses fallbackCode for the rest", async () => {
    const { BackpressureDropError } = await import("../../runtime/errors.js");
    const server = await net.bus("server2", { middleware: { inbound: [recover({ fallbackCode: "INVALID_REQUEST" })] } });
    const client = await net.bus("client2");
    server.handleInvoke("busy", () => {
      throw new BackpressureDropError("queue full");
    });
    server.handleInvoke("plain", () => {
      throw new Error("plain");
    });
    await net.settle();
    await expect(client.invoke("busy", {})).rejects.toMatchObject({ code: "BACKPRESSURE_DROP", retryable: true });
    await expect(client.invoke("plain", {})).rejects.toMatchObject({ code: "INVALID_REQUEST", retryable: false });
  });
});

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AcpError, InvalidRequestError } from "../../runtime/errors.js";
import { GatewayClient, type SseFrame } from "../../runtime/gateway/index.js";
import type { Envelope } from "../../runtime/index.js";
import { openRig, type Rig } from "./fixture.js";
import { validateEnvelope } from "../../generated/ts/validators.js";
import { deferred, waitFor } from "../middleware/net.js";

let rig: Rig;
const events: Envelope[] = [];
const gates: ReturnType<typeof deferred<void>>[] = [];

beforeAll(async () => {
  rig = await openRig({ resume: { windowMs: 10_000 } });
  rig.agents.handleInvoke("add", (req: { a: number; b: number }, ctx) => ({ sum: req.a + req.b, session: ctx.envelope.session_id }));
  rig.agents.handleInvoke("strict", () => {
    throw new InvalidRequestError("field x is required");
  });
  rig.agents.handleInvoke("nothing", () => undefined);
  rig.agents.handleStream("words", async (req: { words: string[]; gated?: boolean }, w) => {
    for (const word of req.words) {
      if (req.gated === true) {
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
      }
      await w.delta(word);
    }
    await w.final(req.words.length);
  });
  rig.agents.subscribe("notes.*", (_p, ctx) => {
    events.push(ctx.envelope);
  });
  await rig.net.settle();
});
afterAll(async () => {
  for (const g of gates) g.resolve();
  await rig.close();
});

describe("GatewayClient", () => {
  it("invokes, with context headers", async () => {
    const client = new GatewayClient({ url: rig.url });
    expect(await client.invoke("add", { a: 2, b: 3 }, { sessionId: "s-7" })).toEqual({ sum: 5, session: "s-7" });
    expect(await client.invoke("nothing")).toBeUndefined();
  });

  it("checks the reply payload with validate; without it the type is an assertion", async () => {
    const client = new GatewayClient({ url: rig.url });
    const isSum = (v: unknown): v is { sum: number } => typeof v === "object" && v !== null && typeof (v as { sum?: unknown }).sum === "number";
    const sum = await client.invoke("add", { a: 1, b: 1 }, { validate: isSum });
    expect(sum?.sum).toBe(2);
    const isText = (v: unknown): v is string => typeof v === "string";
    await expect(client.invoke("add", { a: 1, b: 1 }, { validate: isText })).rejects.toMatchObject({
      code: "CODEC_FAILURE",
      details: { target: "add", payload: { sum: 2 } },
    });
    // a generated ajv validator: its first error is named
    await expect(client.invoke("add", { a: 1, b: 1 }, { validate: validateEnvelope })).rejects.toThrow(
      /not what validate accepts: \(root\) must have required property/,
    );
    expect(await client.invoke("nothing", undefined, { validate: isText })).toBeUndefined();
  });

  it("throws the catalogue's typed error from the ErrorPayload", async () => {
    const client = new GatewayClient({ url: rig.url });
    const err = await client.invoke("strict", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ code: "INVALID_REQUEST", message: "field x is required", retryable: false });
    await expect(client.invoke("missing-agent", {})).rejects.toMatchObject({ code: "NO_HANDLER" });
    const unreachable = new GatewayClient({ url: "http://127.0.0.1:1" });
    await expect(unreachable.invoke("add", {})).rejects.toMatchObject({ code: "TRANSPORT_FAILURE" });
    expect(await unreachable.health()).toBe(false);
  });

  it("emits events", async () => {
    const client = new GatewayClient({ url: rig.url, headers: { "x-channel": "cli" } });
    const { event_id } = await client.emit("notes.added", { text: "hi" });
    await waitFor("event", () => events.length === 1);
    expect(events[0]).toMatchObject({ event_id, channel: "cli", payload: { text: "hi" } });
    expect(await client.health()).toBe(true);
    expect(await client.ready()).toBe(true);
  });

  it("streams frames until the terminal one", async () => {
    const client = new GatewayClient({ url: rig.url });
    const frames: SseFrame[] = [];
    const stream = client.stream("words", { words: ["a", "b", "c"] });
    for await (const f of stream) frames.push(f);
    expect(frames.map((f) => f.event)).toEqual(["agent.response.delta", "agent.response.delta", "agent.response.delta", "agent.response.final"]);
    expect(frames.map((f) => f.id)).toEqual(frames.map((f) => f.envelope.event_id));
    expect(stream.streamId).toBe(frames[0]!.envelope.correlation_id);
    await expect(async () => {
      for await (const _ of client.stream("missing-agent", {})) {
        // nothing
      }
    }).rejects.toBeInstanceOf(AcpError);
  });

  it("resumes with Last-Event-ID after the connection drops", async () => {
    const sockets: Socket[] = [];
    const resumes: string[] = [];
    const track = (req: IncomingMessage): void => {
      sockets.push(req.socket);
      const last = req.headers["last-event-id"];
      if (typeof last === "string") resumes.push(last);
    };
    rig.gateway.server.on("request", track);
    const client = new GatewayClient({ url: rig.url });
    const stream = client.stream("words", { words: ["one", "two", "three"], gated: true }, { resumeAttempts: 2 });
    const got: string[] = [];
    const reading = (async () => {
      for await (const f of stream) {
        got.push((f.envelope.payload as { delta?: string }).delta ?? `final:${JSON.stringify(f.envelope.payload)}`);
        if (got.length === 1) {
          // drop every connection: the client must reconnect and resume
          for (const s of sockets) s.destroy();
          gates[gates.length - 1]!.resolve();
        }
      }
    })();
    await waitFor("first gate", () => gates.length === 1);
    gates[0]!.resolve();
    await waitFor("third gate", () => gates.length === 3);
    gates[2]!.resolve();
    await reading;
    rig.gateway.server.off("request", track);
    expect(got).toEqual(["one", "two", "three", "final:3"]);
    expect(resumes).toHaveLength(1); // it did reconnect, once, naming the last frame it had
  });

  it("counts the gateway's heartbeat comments on a quiet stream", async () => {
    const quiet = await rig.extraGateway({ heartbeatMs: 20 });
    const stream = new GatewayClient({ url: quiet.url }).stream("words", { words: ["x"], gated: true });
    const gate = gates.length;
    const reading = (async () => {
      const seen: string[] = [];
      for await (const f of stream) seen.push(f.event);
      return seen;
    })();
    await waitFor("the handler's gate", () => gates.length === gate + 1);
    await waitFor("a heartbeat", () => stream.heartbeats >= 1);
    gates[gate]!.resolve();
    expect(await reading).toEqual(["agent.response.delta", "agent.response.final"]);
  });
});

/** A real HTTP peer answering each route as `answer` says (a deployed gateway's behaviour, not ours). */
async function withPeer(answer: (req: IncomingMessage, res: ServerResponse) => void, fn: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("GatewayClient against deployed gateways", () => {
  it("stream: a frame whose data is not an envelope rejects with the decode error naming the defect (no resume, no cast)", async () => {
    await withPeer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end('event: agent.response.delta\nid: 1\ndata: {"event_type":"agent.response.delta"}\n\n');
      },
      async (url) => {
        const client = new GatewayClient({ url });
        const seen: SseFrame[] = [];
        const err = await (async () => {
          for await (const frame of client.stream("words", {}, { resumeAttempts: 2 })) seen.push(frame);
        })().catch((e: unknown) => e);
        expect(seen).toEqual([]);
        expect(err).toMatchObject({ code: "INVALID_REQUEST", pointer: expect.any(String) });
        expect(err).toBeInstanceOf(AcpError);
      },
    );
  });

  it("emit: 202 with an empty body (the deployed Go adapter) succeeds; the id comes from X-Event-Id when there is one", async () => {
    await withPeer(
      (req, res) => {
        if (req.url === "/v1/events/with.header") res.writeHead(202, { "x-event-id": "019ca8d7-0000-7000-8000-000000000001" }).end();
        else res.writeHead(202).end();
      },
      async (url) => {
        const client = new GatewayClient({ url });
        expect(await client.emit("orders.created", { id: 1 })).toEqual({ event_id: undefined });
        expect(await client.emit("with.header", { id: 1 })).toEqual({ event_id: "019ca8d7-0000-7000-8000-000000000001" });
      },
    );
  });

  it("invoke: a 2xx with an empty body is no content; a body that is not JSON is a typed TRANSPORT_FAILURE", async () => {
    await withPeer(
      (req, res) => {
        if (req.url === "/v1/agents/empty/invoke") res.writeHead(200).end();
        else res.writeHead(200, { "content-type": "text/html" }).end("<html>proxy</html>");
      },
      async (url) => {
        const client = new GatewayClient({ url });
        expect(await client.invoke("empty", {})).toBeUndefined();
        await expect(client.invoke("html", {})).rejects.toMatchObject({
          code: "TRANSPORT_FAILURE",
          message: expect.stringContaining("not JSON: <html>proxy</html>"),
        });
      },
    );
  });

  it("checkHealth tells a missing route (404/405) from a failing one (503) and from no answer", async () => {
    await withPeer(
      (req, res) => {
        if (req.url === "/healthz") res.writeHead(405).end();
        else res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
      },
      async (url) => {
        expect(await new GatewayClient({ url }).checkHealth()).toEqual({ healthz: "no-route", readyz: "no-route" });
      },
    );
    await withPeer(
      (req, res) => res.writeHead(req.url === "/healthz" ? 200 : 503).end(),
      async (url) => {
        expect(await new GatewayClient({ url }).checkHealth()).toEqual({ healthz: "ok", readyz: "failing" });
      },
    );
    expect(await new GatewayClient({ url: "http://127.0.0.1:1" }).checkHealth()).toEqual({ healthz: "unreachable", readyz: "unreachable" });
    expect(await new GatewayClient({ url: rig.url }).checkHealth()).toEqual({ healthz: "ok", readyz: "ok" });
  });
});

describe("GatewayClient: a 2xx body cut off mid-read", () => {
  it("rejects invoke and emit with a typed TRANSPORT_FAILURE (was a raw TypeError: terminated)", async () => {
    // a real server that promises 1000 bytes of JSON, sends 20, and drops the connection
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"sum": 5, "padding":');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const client = new GatewayClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      for (const call of [() => client.invoke("add", { a: 2, b: 3 }), () => client.emit("notes.cut", {})]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AcpError);
        expect(err).toMatchObject({ code: "TRANSPORT_FAILURE", retryable: false, details: { status: 200 } });
        expect((err as Error).message).toMatch(/^gateway answered 200, then the body was cut off: /);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

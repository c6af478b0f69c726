/**
 * The runtime's schema facts (context fields and their copies, the plain field checks the bus
 * vouches with, the catalogue's retryable defaults) follow the schema: a schema edit changes
 * what generate emits, and the runtime, run against that output, behaves by the edited schema.
 * Each case copies schema/ to a temp folder, edits it, generates the TypeScript target there,
 * and imports a copy of runtime/ placed next to it (so runtime's `../../generated/ts` imports
 * resolve to the edited output).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { emitAll, writeFiles } from "../../generator/generate.js";
import { SchemaLoadError } from "../../generator/ir/errors.js";
import { loadIr } from "../../generator/ir/load.js";
import { runtimeFacts } from "../../generator/ir/runtime-facts.js";
import { emittersFor } from "../../generator/targets.js";
import { CONTEXT_FIELDS } from "../../generated/ts/envelope-facts.js";
import { EnvelopeFactory } from "../../runtime/bus/build.js";
import { REPO_ROOT } from "../helpers/cli.js";

type Json = { [key: string]: unknown };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp copy of schema/ with `edit` applied to the parsed `file` (relative to schema/). */
function editedSchema(file: string, edit: (doc: Json) => void): string {
  const root = mkdtempSync(join(tmpdir(), "oaio-facts-"));
  dirs.push(root);
  const schema = join(root, "schema");
  cpSync(join(REPO_ROOT, "schema"), schema, { recursive: true });
  const doc = JSON.parse(readFileSync(join(schema, file), "utf8")) as Json;
  edit(doc);
  writeFileSync(join(schema, file), `${JSON.stringify(doc, null, 2)}\n`);
  return root;
}

function envelopeProps(doc: Json): Json {
  return doc["properties"] as Json;
}

/** Generates the ts target from `root`/schema into `root`/generated and copies runtime/ beside it. */
async function generateWithRuntime(root: string): Promise<string> {
  const ts = emittersFor(["ts"]);
  writeFiles(
    join(root, "generated"),
    await emitAll(loadIr(join(root, "schema")), ts),
    ts.map((e) => e.root),
  );
  cpSync(join(REPO_ROOT, "runtime"), join(root, "runtime"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

async function load<T>(root: string, file: string): Promise<T> {
  return (await import(pathToFileURL(join(root, file)).href)) as T;
}

interface Envelope {
  [key: string]: unknown;
}
interface BuildModule {
  EnvelopeFactory: new (v: 1 | 2) => { reply(req: Envelope, self: string, md: undefined, type: string, payload: unknown, fin: boolean): Envelope };
}
interface ContextModule {
  contextFromEnvelope(env: Envelope): Record<string, string>;
}
interface VouchModule {
  callerPartsValid(env: Envelope): boolean;
}
interface BusModule {
  createBus(opts: { agentId: string; transport: unknown }): { handleInvoke(target: string, fn: () => unknown): void; close(): Promise<void> };
}
interface TransportModule {
  createMemoryTransport(): {
    newInbox(): string;
    publish(subject: string, data: Uint8Array): void;
    close(): Promise<void>;
    subscribe(subject: string, opts: object, fn: (m: { data: Uint8Array }) => void): { unsubscribe(): void };
  };
}
interface TransportErrorsModule {
  TransportError: new (code: string, message: string) => { retryable: boolean };
}

describe("runtime facts follow the schema", () => {
  it("today's schema: the context fields, in schema order, and every field split into plain and other", () => {
    const facts = runtimeFacts(loadIr(join(REPO_ROOT, "schema")));
    expect(facts.contextFields.map((f) => `${f.name}:${f.kind}`)).toEqual([
      "trace_id:trace",
      "span_id:trace",
      "traceparent:trace",
      "session_id:copy",
      "conversation_id:copy",
      "channel:copy",
      "tenant_id:copy",
      "user_id:copy",
    ]);
    expect(facts.otherFields).toEqual(["spec_version", "schema_version", "event_id", "occurred_at", "phase", "seq"]);
    expect(facts.requiredFields).toEqual(["spec_version", "schema_version", "event_id", "event_type", "occurred_at"]);
  });

  it("a reply carries the request's context fields in schema order, and only those that are strings", () => {
    const request: Envelope = { event_id: "e", event_type: "agent.message.received", from: "a", to: "b" };
    for (const f of [...CONTEXT_FIELDS].reverse()) request[f] = `${f}-value`;
    request["channel"] = 7;
    const reply = new EnvelopeFactory(2).reply(request as never, "b", undefined, "agent.response.final", undefined, true);
    expect(Object.keys(reply).filter((k) => (CONTEXT_FIELDS as readonly string[]).includes(k))).toEqual(CONTEXT_FIELDS.filter((f) => f !== "channel"));
  });

  it("a new x-context field is copied into replies and into the handler's context", async () => {
    const root = await generateWithRuntime(
      editedSchema("envelope.schema.json", (doc) => {
        envelopeProps(doc)["workspace_id"] = { type: "string", description: "Workspace the event belongs to.", "x-context": "copy" };
      }),
    );
    const facts = readFileSync(join(root, "generated/ts/envelope-facts.ts"), "utf8");
    expect(facts).toContain('"user_id", "workspace_id"] as const;');
    const { EnvelopeFactory } = await load<BuildModule>(root, "runtime/bus/build.ts");
    const { contextFromEnvelope } = await load<ContextModule>(root, "runtime/context/index.ts");
    const request = { event_id: "e", event_type: "agent.message.received", from: "a", to: "b", session_id: "s", workspace_id: "w", other: "o" };
    const reply = new EnvelopeFactory(2).reply(request, "b", undefined, "agent.response.final", undefined, true);
    expect(reply["workspace_id"]).toBe("w");
    expect(reply["session_id"]).toBe("s");
    expect(reply["other"]).toBeUndefined();
    expect(contextFromEnvelope(request)).toEqual({ session_id: "s", workspace_id: "w" });
  }, 60_000);

  it("a plain field's rule reaches the vouch check, and a rule it cannot unroll is left to the validator", async () => {
    const root = await generateWithRuntime(
      editedSchema("envelope.schema.json", (doc) => {
        envelopeProps(doc)["priority"] = { type: "boolean", description: "Urgent or not." };
        envelopeProps(doc)["region"] = { type: "string", pattern: "^[a-z]+$", description: "Region." };
      }),
    );
    const facts = readFileSync(join(root, "generated/ts/envelope-facts.ts"), "utf8");
    expect(facts).toMatch(/OTHER_FIELDS = \[[^\]]*"region"\]/);
    const { callerPartsValid } = await load<VouchModule>(root, "runtime/bus/vouch.ts");
    const env = { spec_version: "acp/1.0", schema_version: 2, event_id: "x", event_type: "orders.created", occurred_at: "t" };
    expect(callerPartsValid(env)).toBe(true);
    expect(callerPartsValid({ ...env, priority: true })).toBe(true);
    expect(callerPartsValid({ ...env, priority: "yes" })).toBe(false);
  }, 60_000);

  it("a flipped retryable flag in the error catalogue changes TransportError's default and the bus' INVALID_REQUEST reply", async () => {
    const root = await generateWithRuntime(
      editedSchema("catalog/error-codes.json", (doc) => {
        const codes = doc["error_codes"] as { code: string; retryable: boolean }[];
        for (const c of codes) if (c.code === "TRANSPORT_FAILURE" || c.code === "INVALID_REQUEST") c.retryable = !c.retryable;
      }),
    );
    const { TransportError } = await load<TransportErrorsModule>(root, "runtime/transport/errors.ts");
    expect(new TransportError("TRANSPORT_FAILURE", "x").retryable).toBe(false);
    expect(new TransportError("INVALID_REQUEST", "x").retryable).toBe(true);
    expect(new TransportError("BACKPRESSURE_DROP", "x").retryable).toBe(true);
    // the bus' INVALID_REQUEST reply to a request that breaks the schema carries the catalogue's flag
    const { createBus } = await load<BusModule>(root, "runtime/bus/index.ts");
    const { createMemoryTransport } = await load<TransportModule>(root, "runtime/transport/index.ts");
    const transport = createMemoryTransport();
    const server = createBus({ agentId: "picky", transport });
    try {
      server.handleInvoke("picky", () => 1);
      const inbox = transport.newInbox();
      const replies: Envelope[] = [];
      const sub = transport.subscribe(inbox, {}, (m) => void replies.push(JSON.parse(new TextDecoder().decode(m.data)) as Envelope));
      const bad = {
        spec_version: "acp/1.0",
        schema_version: 2,
        event_id: "019ca8d7-2d7b-7a01-8c3e-5b1f0a9d2e41",
        event_type: "agent.message.received",
        occurred_at: "yesterday",
        reply_to: inbox,
        from: "c",
        to: "picky",
      };
      transport.publish("acp.v1.invoke.picky", new TextEncoder().encode(JSON.stringify(bad)));
      await vi.waitFor(() => expect(replies).toHaveLength(1), { timeout: 5_000 });
      expect(replies[0]!["payload"]).toMatchObject({ code: "INVALID_REQUEST", retryable: true });
      sub.unsubscribe();
    } finally {
      await server.close();
      await transport.close();
    }
  }, 60_000);

  it("refuses a malformed x-context with the file and pointer", () => {
    const bad = (edit: (props: Json) => void): SchemaLoadError => {
      const root = editedSchema("envelope.schema.json", (doc) => edit(envelopeProps(doc)));
      try {
        runtimeFacts(loadIr(join(root, "schema")));
      } catch (err: unknown) {
        if (err instanceof SchemaLoadError) return err;
        throw err;
      }
      throw new Error("runtimeFacts accepted a malformed x-context");
    };
    const kind = bad((p) => {
      (p["channel"] as Json)["x-context"] = "sometimes";
    });
    expect(kind.problems).toEqual([
      { file: "envelope.schema.json", pointer: "/properties/channel/x-context", message: 'must be "copy" or "trace", not "sometimes"' },
    ]);
    const required = bad((p) => {
      (p["event_type"] as Json)["x-context"] = "copy";
    });
    expect(required.problems[0]?.pointer).toBe("/properties/event_type/x-context");
    const notString = bad((p) => {
      (p["seq"] as Json)["x-context"] = "copy";
    });
    expect(notString.problems[0]?.message).toMatch(/optional field whose only rule is type string/);
  });
});

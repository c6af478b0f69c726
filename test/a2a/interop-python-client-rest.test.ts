/**
 * The official A2A Python SDK (a2a-sdk 1.3.0 from PyPI, in .venv-a2a) as an HTTP+JSON client of
 * our server: test/peers/a2a-python/rest_client.py resolves our card, may use only the
 * HTTP+JSON binding, and reports what the SDK got for send, stream, get, list, cancel, push-config
 * CRUD, the extended card, subscribe and two errors, one JSON line per operation.
 */
import { execFile, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRestEnv, type Obj, type RestEnv } from "./rest-env.js";

const run = promisify(execFile);

let env: RestEnv;
/** The script's report, by operation. */
const report = new Map<string, Obj>();

beforeAll(async () => {
  env = await startRestEnv();
  const python = (await run("bash", ["scripts/a2a-peer-env.sh"], { timeout: 600_000 })).stdout.trim();
  const token = (env.auth.alice["authorization"] ?? "").replace(/^Bearer /, "");
  const child = spawn(python, ["test/peers/a2a-python/rest_client.py", env.server.url], {
    env: { ...process.env, A2A_BEARER: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const killer = setTimeout(() => child.kill(), 120_000);
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.trim() === "") continue;
    const o = JSON.parse(line) as Obj;
    report.set(o["op"], o);
    // The script is subscribed to its held task: let the task finish so the stream completes.
    // (once the agent holds it: the subscription may have started before the handler got there)
    if (o["op"] === "subscribed") void env.demo.waitHolding(1).then(() => env.demo.release());
  }
  const code = await exited;
  clearTimeout(killer);
  if (code !== 0) throw new Error(`rest_client.py exited ${code}: ${stderr}`);
}, 700_000);
afterAll(async () => {
  await env?.close();
});

const op = (name: string): Obj => {
  const o = report.get(name);
  if (o === undefined) throw new Error(`the Python client reported no "${name}" (got ${[...report.keys()].join(", ")})`);
  return o;
};

// TaskState numbers of a2a.proto (the SDK reports enums as numbers).
const COMPLETED = 3;
const CANCELED = 5;

describe("a2a-sdk 1.3.0 (Python) REST client against our server", () => {
  it("chose its REST transport at our card's HTTP+JSON URL", () => {
    expect(op("transport")).toMatchObject({ name: "RestTransport", url: env.server.url });
  });

  it("SendMessage", () => {
    expect(op("send")).toMatchObject({ state: COMPLETED, text: "hello py rest" });
  });

  it("SendStreamingMessage: task, status and artifact updates, ending COMPLETED", () => {
    expect(op("stream")).toEqual({
      op: "stream",
      kinds: ["task", "status_update", "artifact_update", "artifact_update", "artifact_update", "status_update"],
      last_state: COMPLETED,
    });
  });

  it("GetTask with history_length 0", () => {
    expect(op("get")).toEqual({ op: "get", id: op("send")["id"], history: 0, state: COMPLETED });
  });

  it("ListTasks by context_id (the sent and the streamed task)", () => {
    const l = op("list");
    expect(l["ids"]).toHaveLength(2);
    expect(l["ids"]).toContain(op("send")["id"]);
    expect(l["contexts"]).toHaveLength(1);
    expect(l["total"]).toBe(2);
  });

  it("CancelTask", () => {
    expect(op("cancel")["state"]).toBe(CANCELED);
  });

  it("push config create, get, list, delete (the token is not echoed)", () => {
    const p = op("push");
    expect(p["created"]).toMatchObject({ id: "py-cfg", taskId: op("send")["id"], url: "http://127.0.0.1:9/hook" });
    expect(p["created"]).not.toHaveProperty("token");
    expect(p).toMatchObject({ fetched_url: "http://127.0.0.1:9/hook", listed: ["py-cfg"], after_delete: [] });
  });

  it("GetExtendedAgentCard", () => {
    expect(op("extended_card")["description"]).toBe("extended");
  });

  it("SubscribeToTask: the task first, then its events until COMPLETED", () => {
    const sub = op("subscribe");
    expect(op("subscribed")["id"]).toBe(sub["id"]);
    expect(sub["kinds"][0]).toBe("task");
    expect(sub["last_state"]).toBe(COMPLETED);
  });

  it("our AIP-193 errors become the SDK's typed errors", () => {
    expect(op("error")["raised"]).toBe("TaskNotFoundError");
    expect(op("not_cancelable")["raised"]).toBe("TaskNotCancelableError");
  });
});

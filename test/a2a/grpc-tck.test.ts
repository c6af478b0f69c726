/**
 * The A2A TCK's gRPC binding requirements (a2aproject/a2a-tck, branch 1.0-dev,
 * tck/requirements/binding_grpc.py), one test per requirement id, on real loopback servers.
 * The expected status codes of GRPC-ERR-002 are the TCK's ErrorBinding values
 * (tck/requirements/base.py, what its validators compare), written out here so that a change
 * of our table (A2A_ERRORS) is caught.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fromBinary, toJson } from "@bufbuild/protobuf";
import type * as Grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { A2A_ERROR_DOMAIN, ERROR_INFO_TYPE } from "../../generated/a2a/index.js";
import { startA2aGrpcServer } from "../../runtime/a2a/grpc.js";
import { loadA2aGrpc } from "../../runtime/a2a/grpc-proto.js";
import { GRPC_CODES } from "../../runtime/a2a/grpc-status.js";
import { loadA2aProto, protoJsonToBinary } from "../../runtime/a2a/proto.js";
import { errorOf, resultOf, send, startGrpcEnv, stream, unary, type GrpcEnv, type GrpcMethods, type Obj, type Unary } from "./grpc-env.js";

let env: GrpcEnv;
let token: string;
let c: GrpcMethods;
const code = (name: string): number => GRPC_CODES[name] as number;
const proto = loadA2aProto();

beforeAll(async () => {
  env = await startGrpcEnv();
  token = await env.token("tck", "tenant-a");
  c = env.client();
});
afterAll(async () => {
  await env.close();
});

describe("TCK binding_grpc requirements", () => {
  it("GRPC-SVC-001: every method of lf.a2a.v1.A2AService (the normative a2a.proto) is implemented", async () => {
    const md = (): Grpc.Metadata => env.md(token);
    const task = resultOf(await unary(c, "SendMessage", send("svc"), md()))["task"];
    const cfg = resultOf(await unary(c, "CreateTaskPushNotificationConfig", { taskId: task["id"], url: "http://127.0.0.1:9/h" }, md()));
    const holding = env.demo.holding;
    const held = resultOf(await unary(c, "SendMessage", send("hold", { configuration: { returnImmediately: true } }), md()))["task"];
    await env.demo.waitHolding(holding + 1);
    const answers: Record<string, Unary | { events: Obj[]; error: Unary | undefined }> = {
      SendMessage: await unary(c, "SendMessage", send("one"), md()),
      SendStreamingMessage: await stream(c, "SendStreamingMessage", send("two"), md()),
      GetTask: await unary(c, "GetTask", { id: task["id"] }, md()),
      ListTasks: await unary(c, "ListTasks", {}, md()),
      GetTaskPushNotificationConfig: await unary(c, "GetTaskPushNotificationConfig", { taskId: task["id"], id: cfg["id"] }, md()),
      ListTaskPushNotificationConfigs: await unary(c, "ListTaskPushNotificationConfigs", { taskId: task["id"] }, md()),
      DeleteTaskPushNotificationConfig: await unary(c, "DeleteTaskPushNotificationConfig", { taskId: task["id"], id: cfg["id"] }, md()),
      CreateTaskPushNotificationConfig: await unary(c, "CreateTaskPushNotificationConfig", { taskId: task["id"], url: "http://127.0.0.1:9/i" }, md()),
      GetExtendedAgentCard: await unary(c, "GetExtendedAgentCard", {}, md()),
      SubscribeToTask: await new Promise<{ events: Obj[]; error: Unary | undefined }>((resolve) => {
        // the held task completes once the subscription has its first event
        const call = c["SubscribeToTask"]?.call(c, { id: held["id"] }, md()) as NodeJS.EventEmitter;
        const events: Obj[] = [];
        let error: Unary | undefined;
        call.on("data", (ev: Obj) => {
          if (events.push(ev) === 1) env.demo.release();
        });
        call.on("error", (err: Grpc.ServiceError) => (error = { ok: false, code: err.code, details: err.details, status: undefined }));
        call.on("close", () => resolve({ events, error }));
      }),
      CancelTask: await (async () => {
        const h = resultOf(await unary(c, "SendMessage", send("hold", { configuration: { returnImmediately: true } }), md()))["task"];
        return unary(c, "CancelTask", { id: h["id"] }, md());
      })(),
    };
    expect(Object.keys(answers).sort()).toEqual(proto.service.methods.map((m) => m.name).sort());
    for (const [name, a] of Object.entries(answers)) {
      if ("events" in a) {
        expect(a.error, name).toBeUndefined();
        expect(a.events.length, name).toBeGreaterThan(0);
      } else expect(a.ok, `${name}: ${a.ok ? "" : a.details}`).toBe(true);
    }
  });

  it("GRPC-SVC-002: messages are Protocol Buffers 3 binary on the wire", async () => {
    // A raw call: the request encoded from the official descriptor, the answer decoded strictly.
    const raw = new env.grpc.Client(env.main.grpc?.address ?? "", env.grpc.credentials.createInsecure());
    const input = proto.method("SendMessage")?.input;
    const output = proto.method("SendMessage")?.output;
    if (input === undefined || output === undefined) throw new Error("no SendMessage in the descriptor");
    const request = Buffer.from(protoJsonToBinary(input, send("binary")));
    const bytes = await new Promise<Buffer>((resolve, reject) =>
      raw.makeUnaryRequest(
        "/lf.a2a.v1.A2AService/SendMessage",
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        env.md(token),
        (err, value) => (err || value === undefined ? reject(err) : resolve(value)),
      ),
    );
    raw.close();
    expect(bytes[0]).toBe((1 << 3) | 2); // field 1 (task), wire type 2 (length-delimited)
    const answer = toJson(output, fromBinary(output, bytes)) as Obj;
    expect(answer["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
  });

  it("GRPC-SVC-003: gRPC over HTTP/2 with TLS (server credentials given; a plaintext client is refused)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "oaio-grpc-tls-"));
    try {
      await promisify(execFile)("openssl", [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ]);
      const [key, cert] = await Promise.all([readFile(join(dir, "key.pem")), readFile(join(dir, "cert.pem"))]);
      const { grpc, Client } = loadA2aGrpc();
      const tls = await startA2aGrpcServer(env.main.bridge, { credentials: grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]) });
      try {
        // the Bearer token as per-call credentials, which grpc-js sends only over a secure channel
        const perCall = grpc.credentials.createFromMetadataGenerator((_params, cb) => {
          const md = new grpc.Metadata();
          md.set("authorization", `Bearer ${token}`);
          cb(null, md);
        });
        const secure = new Client(tls.address, grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(cert), perCall)) as unknown as GrpcMethods;
        const ok = resultOf(await unary(secure, "SendMessage", send("over tls"), env.md(undefined)));
        expect(ok["task"]["status"]["state"]).toBe("TASK_STATE_COMPLETED");
        const plain = new Client(tls.address, grpc.credentials.createInsecure()) as unknown as GrpcMethods;
        expect(errorOf(await unary(plain, "GetTask", { id: ok["task"]["id"] }, env.md(token), { deadline: Date.now() + 3000 })).code).toBe(code("UNAVAILABLE"));
        for (const cl of [secure, plain]) (cl as unknown as Grpc.Client).close();
      } finally {
        await tls.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("GRPC-META-001: service parameters travel as gRPC metadata (a2a-version, authorization)", async () => {
    expect(resultOf(await unary(c, "ListTasks", {}, env.md(token, "1.0"))));
    const v = errorOf(await unary(c, "ListTasks", {}, env.md(token, "9.9")));
    expect(v.status?.details?.[0]?.["reason"]).toBe("VERSION_NOT_SUPPORTED");
    expect(errorOf(await unary(c, "ListTasks", {}, env.md(undefined, "1.0"))).code).toBe(code("UNAUTHENTICATED"));
  });

  it("GRPC-ERR-001: A2A errors carry a google.rpc.ErrorInfo (reason, domain a2a-protocol.org) in the status details", async () => {
    const e = errorOf(await unary(c, "GetTask", { id: "tck-missing" }, env.md(token)));
    expect(e.status).toEqual({ code: e.code, message: e.details, details: [{ "@type": ERROR_INFO_TYPE, reason: "TASK_NOT_FOUND", domain: A2A_ERROR_DOMAIN }] });
  });

  it("GRPC-ERR-002: each A2A error has its gRPC status code", async () => {
    const alt = env.client(env.alt.grpc?.address);
    const done = resultOf(await unary(c, "SendMessage", send("done"), env.md(token)))["task"];
    const cases: [string, Unary, string][] = [
      ["TASK_NOT_FOUND", await unary(c, "GetTask", { id: "tck-missing" }, env.md(token)), "NOT_FOUND"],
      ["TASK_NOT_CANCELABLE", await unary(c, "CancelTask", { id: done["id"] }, env.md(token)), "FAILED_PRECONDITION"],
      ["PUSH_NOTIFICATION_NOT_SUPPORTED", await unary(alt, "GetTaskPushNotificationConfig", { taskId: "t", id: "c" }, env.md()), "UNIMPLEMENTED"],
      ["UNSUPPORTED_OPERATION", (await stream(alt, "SubscribeToTask", { id: "t" }, env.md())).error ?? { ok: true, value: {} }, "UNIMPLEMENTED"],
      [
        "CONTENT_TYPE_NOT_SUPPORTED",
        await unary(c, "SendMessage", send("x", { configuration: { acceptedOutputModes: ["video/mp4"] } }), env.md(token)),
        "INVALID_ARGUMENT",
      ],
      // the extended card with its capability off is UnsupportedOperation (A2A 1.0 section 3.3.4)
      ["UNSUPPORTED_OPERATION", await unary(alt, "GetExtendedAgentCard", {}, env.md()), "UNIMPLEMENTED"],
      ["VERSION_NOT_SUPPORTED", await unary(c, "GetTask", { id: "x" }, env.md(token, "0.3")), "UNIMPLEMENTED"],
    ];
    for (const [reason, answer, status] of cases) {
      const e = errorOf(answer);
      expect({ reason: e.status?.details?.[0]?.["reason"], code: e.code }).toEqual({ reason, code: code(status) });
    }
  });

  it("GRPC-ERR-003: streaming is server-streaming RPCs of StreamResponse messages", async () => {
    const { service } = loadA2aGrpc();
    for (const m of ["SendStreamingMessage", "SubscribeToTask"]) {
      expect(service[m]?.responseStream, m).toBe(true);
      expect(service[m]?.requestStream, m).toBe(false);
    }
    expect(proto.method("SendStreamingMessage")?.output.typeName).toBe("lf.a2a.v1.StreamResponse");
    const { events, error } = await stream(c, "SendStreamingMessage", send("abc"), env.md(token));
    expect(error).toBeUndefined();
    expect(events.map((e) => Object.keys(e)[0])).toEqual(["task", "statusUpdate", "artifactUpdate", "artifactUpdate", "statusUpdate"]);
  });
});

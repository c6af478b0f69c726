/**
 * The Kotlin runtime's middleware (generated/kotlin MiddlewareTest: outbound middleware order
 * and copies, recover, logging on java.util.logging, trace on the OpenTelemetry API checked with
 * the OpenTelemetry SDK's in-memory exporter, stats()) on the in-memory transport and on the
 * pinned nats-server, every scenario on both and nothing skipped.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { MAVEN_TIMEOUT_MS } from "./peer-build.js";

const SDK = join(REPO_ROOT, "generated", "kotlin");
const work = mkdtempSync(join(tmpdir(), "oaio-kotlin-middleware-"));
let nats: NatsServer;

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("Kotlin runtime middleware", () => {
  it(
    "MiddlewareTest passes on memory and on the real nats-server, every scenario on both",
    async () => {
      const target = join(work, "target");
      const res = await runProcess("mvn", ["-o", "-q", "-B", "test", "-Dtest=MiddlewareTest", `-Doaio.build.dir=${target}`], {
        cwd: SDK,
        env: { ...process.env, OAIO_NATS_URL: nats.url },
      });
      const reports = join(target, "surefire-reports");
      const xml = existsSync(reports)
        ? readdirSync(reports)
            .filter((f) => f.endsWith(".xml"))
            .map((f) => readFileSync(join(reports, f), "utf8"))
            .join("\n")
        : "";
      expect(res.code, `${res.stdout.slice(-4000)}\n${res.stderr.slice(-4000)}`).toBe(0);
      const cases = [...xml.matchAll(/<testcase name="([^"]+)\(String\)\[(\d)\]"/gu)].map((m) => ({ name: m[1], param: m[2] }));
      const onMemory = cases.filter((c) => c.param === "1").map((c) => c.name);
      const onNats = cases.filter((c) => c.param === "2").map((c) => c.name);
      expect(onMemory.sort()).toEqual(
        [
          "anInvokesOutboundMiddlewareSeesTheReplyAndTheErrorAsAThrow",
          "loggingWritesOneStructuredLinePerEnvelopeAndSend",
          "outboundMiddlewareWrapEverySendFirstOutermostAndPassChangedCopies",
          "recoverTurnsAThrowIntoAnErrorReplyAndTheBusKeepsServing",
          "statsCountsUnderTheTypeScriptNames",
          "traceOpensConsumerProducerAndClientSpansCarriedAsTraceparent",
          "withoutAnSdkTheTraceMiddlewareKeepsTheBusTraceparent",
        ].sort(),
      );
      expect(onNats.sort()).toEqual(onMemory.sort());
      expect(xml).not.toMatch(/<skipped|<failure|<error/u);
    },
    MAVEN_TIMEOUT_MS,
  );
});

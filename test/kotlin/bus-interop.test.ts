/**
 * The generated Kotlin runtime (generated/kotlin, `dev.openagentio.acp.runtime`) and the
 * TypeScript bus on one real nats-server: the Kotlin contract suite (BusContractTest) over NATS,
 * nothing skipped; a Kotlin peer (test/kotlin/peer/BusPeer.kt, compiled against the generated
 * sources) serving handlers the TypeScript bus invokes and streams, and calling TypeScript
 * handlers: payloads, errors (code, message, retryable), context, events, queue groups shared
 * across languages, tenants, the stream cancel extension both ways, and resends across a
 * nats-server restart.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats } from "../../runtime/transport/index.js";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { describePeerClientToTs, describeRestart, describeTsClientToPeer, startPeerProcess, type BusPeerSuite } from "../helpers/bus-peer.js";
import { buildKotlinProgram, MAVEN_TIMEOUT_MS, type KotlinProgram } from "./peer-build.js";

const SDK = join(REPO_ROOT, "generated", "kotlin");
const work = mkdtempSync(join(tmpdir(), "oaio-kotlin-interop-"));
let peerProgram: KotlinProgram;
let nats: NatsServer;
let ts: Bus;

beforeAll(async () => {
  peerProgram = buildKotlinProgram(join(work, "peer"), [join(REPO_ROOT, "test", "kotlin", "peer")], "dev.openagentio.peer.BusPeerKt");
  nats = await startNatsServer();
  ts = createBus({ agentId: "ts", transport: await connectNats({ servers: nats.url }), ownsTransport: true });
}, MAVEN_TIMEOUT_MS);

afterAll(async () => {
  await ts?.close();
  await nats?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("Kotlin runtime on NATS", () => {
  it(
    "passes its contract suite against the real nats-server (every scenario on memory and on NATS) and runs the README example, nothing skipped",
    async () => {
      const target = join(work, "sdk-target");
      const res = await runProcess("mvn", ["-o", "-q", "-B", "test", "-Dtest=BusContractTest,ReadmeExampleTest", `-Doaio.build.dir=${target}`], {
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
      expect(onMemory.length).toBeGreaterThanOrEqual(20);
      expect(onNats.sort()).toEqual(onMemory.sort());
      expect(xml).toMatch(/<testcase name="theReadmeExampleCallsAndStreamsOverNats"/u);
      expect(xml).toMatch(/skipped="0"/u);
      expect(xml).not.toMatch(/<skipped|<failure|<error/u);
    },
    MAVEN_TIMEOUT_MS,
  );
});

const suite: BusPeerSuite = {
  lang: "Kotlin",
  prefix: "kt",
  contextHome: "its coroutine context",
  ts: () => ts,
  natsUrl: () => nats.url,
  start: (args) => startPeerProcess("Kotlin", "java", ["-cp", peerProgram.classpath, peerProgram.mainClass, ...args]),
  async runClient(url) {
    const res = await runProcess("java", ["-cp", peerProgram.classpath, peerProgram.mainClass, "client", "--nats", url]);
    return { code: res.code, stdout: res.stdout, explain: `${res.stdout}\n${res.stderr.slice(-4000)}` };
  },
  clientCallsTenants: true,
};
describeTsClientToPeer(suite);
describePeerClientToTs(suite);
describeRestart(suite);

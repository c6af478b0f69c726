/**
 * The peers of the matrix: one entry per SDK, each with how to start it and what it lacks.
 * Adding a peer (Kotlin: a program speaking test/matrix/README.md's protocol) adds its rows and
 * columns to every scenario.
 */
import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/cli.js";
import { ensurePeerVenv } from "../peers/peer.js";
import { ensureVenv } from "../python/helpers.js";
import { kotlinPeerProgram } from "./kotlin-peer.js";
import { startTsPeer } from "./peers/ts-peer.js";
import { startProcessPeer } from "./process-peer.js";
import type { MatrixPeer } from "./protocol.js";

/**
 * Features a peer may lack. A cell that needs one is recorded "unsupported" (or "partial")
 * with the reason, and asserts what the peer does instead, so the cell fails when it changes.
 */
export interface PeerGaps {
  /** As a stream client: leaving a stream early sends no agent.stream.cancel. */
  readonly sendCancel?: string;
  /** As a stream server: a cancel never reaches the handler. */
  readonly receiveCancel?: string;
  /** As a client: "no responders" is not heard, an invoke nobody serves times out. */
  readonly noHandler?: string;
  /** As a handler that calls on: user_id of the handled request is not carried into the call. */
  readonly propagateUser?: string;
  /** Writes JSON with non-ASCII characters escaped (`\\uXXXX`, 6 bytes each): large non-ASCII payloads pass NATS max_payload as UTF-8 but not escaped. */
  readonly asciiWire?: string;
  /**
   * Reads and writes a final's payload as the bare value only: it neither wraps a result that is
   * itself `{"result": v}` nor unwraps that shape (our runtimes do both; spec/bus.md "Wire format").
   */
  readonly resultShape?: string;
  /** As a client: writes schema_version 1 only (no `phase`), whatever it is configured to. */
  readonly schemaVersion2?: string;
  /** As a server: its handlers cannot see a schema_version 2 request's `phase`. */
  readonly readsPhase?: string;
  /** As a publisher on a tenant's bus: the event goes to the tenant's subject without `tenant_id` in the envelope. */
  readonly publishTenant?: string;
  /** As a subscriber: the handler sees the envelope's `tenant_id` as sent, not the tenant of the subject it came on. */
  readonly subjectTenant?: string;
  /** As a handler that calls on: channel of the handled request is not carried into the call. */
  readonly propagateChannel?: string;
  /** As a handler that calls on: the call carries the handled request's traceparent as is, not a new span of its trace. */
  readonly newSpan?: string;
}

export interface PeerSpec {
  /** Agent id and the infix of its targets: one subject token. */
  readonly name: string;
  /** What it is, for the summary. */
  readonly label: string;
  /**
   * Writes schema_version 1 (deployed, or a runtime in v1 mode): error replies to its requests
   * carry the nearest deployed code for an extension code (spec/errors.md "Extension codes and
   * v1 peers").
   */
  readonly v1: boolean;
  /** As a server, answers a v1 request's extension code with the nearest deployed code (our runtimes; not 0.3.0). */
  readonly downgradesForV1: boolean;
  /** As a client, reads the precise code back from `cause["acp.code"]` of such a reply (our runtimes; not 0.3.0). */
  readonly recoversPreciseCode: boolean;
  readonly gaps: PeerGaps;
  /** Builds what the peer needs (once per run, before any peer starts; may block for a compile). */
  prepare?(): void;
  start(natsUrl: string): Promise<MatrixPeer>;
}

/**
 * A venv linked in from another checkout (a worktree sharing the lead's) is used as it is: its
 * setup script would re-stamp it for this tree. Otherwise the setup script makes it current.
 */
function linkedVenvPython(dir: string): string | undefined {
  const link = join(REPO_ROOT, dir);
  return existsSync(link) && lstatSync(link).isSymbolicLink() ? join(link, "bin", "python") : undefined;
}

async function runtimePython(): Promise<string> {
  return linkedVenvPython(".venv") ?? (await ensureVenv()).python;
}

async function deployedPython(): Promise<string> {
  return linkedVenvPython(".venv-peer") ?? ensurePeerVenv();
}

const DEPLOYED_SRC = ".venv-peer/lib/python3.11/site-packages/openagentio";

function runtimePeer(name: string, schemaVersion: 1 | 2): (url: string) => Promise<MatrixPeer> {
  return async (url) =>
    startProcessPeer({
      name,
      command: await runtimePython(),
      args: ["-u", join(REPO_ROOT, "test/matrix/peers/runtime_peer.py"), "--nats", url, "--name", name, "--schema-version", String(schemaVersion)],
      // this worktree's generated package, whichever tree the shared venv's editable install points at
      env: { PYTHONPATH: join(REPO_ROOT, "generated", "python", "src") },
      cwd: REPO_ROOT,
    });
}

/**
 * The JVM flags of the Kotlin peers: the C1 compiler only and the serial collector, so two JVMs
 * warm up without taking the 2 cores from the other peers (the peers are I/O bound).
 */
const JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m"];

function kotlinPeer(name: string, schemaVersion: 1 | 2): Pick<PeerSpec, "prepare" | "start"> {
  return {
    prepare: () => void kotlinPeerProgram(),
    async start(url) {
      const program = kotlinPeerProgram();
      return startProcessPeer({
        name,
        command: "java",
        args: [...JVM_FLAGS, "-cp", program.classpath, program.mainClass, "--nats", url, "--name", name, "--schema-version", String(schemaVersion)],
        cwd: REPO_ROOT,
        readyTimeoutMs: 60_000,
      });
    },
  };
}

export const PEERS: readonly PeerSpec[] = [
  {
    name: "ts",
    label: "TypeScript runtime (runtime/bus, in-process)",
    v1: false,
    downgradesForV1: true,
    recoversPreciseCode: true,
    gaps: {},
    start: (url) => startTsPeer("ts", url),
  },
  {
    name: "py",
    label: "Python runtime (generated/python openagentio.runtime)",
    v1: false,
    downgradesForV1: true,
    recoversPreciseCode: true,
    gaps: {},
    start: runtimePeer("py", 2),
  },
  {
    name: "py03",
    label: "deployed Python SDK openagentio==0.3.0 (PyPI)",
    v1: true,
    downgradesForV1: false,
    recoversPreciseCode: false,
    gaps: {
      sendCancel: `0.3.0 Stream.close() only closes the client's inbox; no agent.stream.cancel is sent (${DEPLOYED_SRC}/bus/stream.py)`,
      receiveCancel: `0.3.0 StreamWriter has no cancel signal and the Bus subscribes no cancel subject; the handler runs to its end (${DEPLOYED_SRC}/bus/stream.py, bus/bus.py)`,
      noHandler: `0.3.0 invoke publishes without a NATS reply subject, so "no responders" is never heard; the call times out (AGENT_TIMEOUT) (${DEPLOYED_SRC}/bus/bus.py)`,
      propagateUser: `0.3.0 WithSessionPropagation copies session, conversation and trace, deliberately not user_id (${DEPLOYED_SRC}/bus/bus.py _inherit_session_context)`,
      asciiWire: `0.3.0 encodes with json.dumps' default ensure_ascii=True: each non-ASCII character is a 6-byte \\uXXXX escape, so 600 KiB of UTF-8 text is 1.8 MiB on the wire, over NATS max_payload (1 MiB): nats-py raises MaxPayloadError on the request, or drops the handler's reply with a log line (${DEPLOYED_SRC}/codec/json_codec.py, event/envelope.py to_bytes)`,
      resultShape: `0.3.0 writes a handler's value as the payload and hands the payload to its caller as is; our runtimes wrap a {"result": v}-shaped value and unwrap {"result": v} when reading, so a value of exactly that shape changes shape across the boundary (${DEPLOYED_SRC}/bus/bus.py _final_response; spec/bus.md "Wire format")`,
      schemaVersion2: `0.3.0 writes schema_version 1 envelopes only (SCHEMA_VERSION = 1; no phase field) (${DEPLOYED_SRC}/event/types.py, event/envelope.py)`,
      readsPhase: `0.3.0's Envelope dataclass has no phase field: from_dict drops it, a handler never sees the phase of a v2 request (${DEPLOYED_SRC}/event/envelope.py)`,
      publishTenant: `0.3.0 Bus.publish routes to the bus tenant's subject but leaves the envelope's tenant_id as the caller set it (${DEPLOYED_SRC}/bus/bus.py publish)`,
      subjectTenant: `a 0.3.0 subscriber hands the envelope over as decoded (${DEPLOYED_SRC}/bus/bus.py subscribe)`,
      propagateChannel: `0.3.0 WithSessionPropagation does not copy channel (${DEPLOYED_SRC}/bus/bus.py _inherit_session_context)`,
      newSpan: `0.3.0 copies trace_id, span_id and traceparent unchanged into the nested call: no new span (${DEPLOYED_SRC}/bus/bus.py _inherit_session_context)`,
    },
    async start(url) {
      return startProcessPeer({
        name: "py03",
        command: await deployedPython(),
        args: ["-u", join(REPO_ROOT, "test/matrix/peers/deployed_peer.py"), "--nats", url, "--name", "py03"],
        cwd: REPO_ROOT,
      });
    },
  },
  {
    name: "ts1",
    label: "TypeScript runtime in schema_version 1 mode (schemaVersion: 1)",
    v1: true,
    downgradesForV1: true,
    recoversPreciseCode: true,
    gaps: {},
    start: (url) => startTsPeer("ts1", url, 1),
  },
  {
    name: "py1",
    label: "Python runtime in schema_version 1 mode (schema_version=1)",
    v1: true,
    downgradesForV1: true,
    recoversPreciseCode: true,
    gaps: {},
    start: runtimePeer("py1", 1),
  },
  {
    name: "kt",
    label: "Kotlin runtime (generated/kotlin dev.openagentio.acp.runtime, JVM)",
    v1: false,
    downgradesForV1: true,
    recoversPreciseCode: true,
    gaps: {},
    ...kotlinPeer("kt", 2),
  },
  {
    name: "kt1",
    label: "Kotlin runtime in schema_version 1 mode (schemaVersion = 1)",
    v1: true,
    downgradesForV1: true,
    recoversPreciseCode: true,
    gaps: {},
    ...kotlinPeer("kt1", 1),
  },
];

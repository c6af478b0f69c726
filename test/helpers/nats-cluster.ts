/**
 * A 3-node (by default) nats-server cluster on loopback for tests: each node has a free
 * client port and a free cluster (route) port, its own temp store dir, JetStream on, a unique
 * server_name and a config file. `crash(i)` kill -9's one node; `start(i)` restarts it on the
 * same ports and store; `stop()` stops every node and removes the dirs.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager, StorageType } from "@nats-io/jetstream";
import { findNatsServer, freePort, launch, terminate } from "./nats-server.js";

/**
 * Resolves once the cluster's JetStream can place a stream on every node: a meta leader is
 * elected and knows all peers (an R{servers.length} probe stream is created and deleted). A
 * meta leader alone is not enough: an R3 stream created then fails "no suitable peers for
 * placement" (seen in CI). Polls up to `timeoutMs`.
 */
export async function waitForJetStream(servers: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const nc = await connect({ servers, timeout: 5_000 });
  try {
    for (;;) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        await jsm.getAccountInfo();
        const name = "OAIO_READY_PROBE";
        await jsm.streams.add({ name, subjects: ["_oaio.ready.probe"], num_replicas: servers.length, storage: StorageType.Memory });
        await jsm.streams.delete(name);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`cluster JetStream not ready within ${timeoutMs} ms: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await nc.close();
  }
}

export interface NatsClusterNode {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly storeDir: string;
  readonly configFile: string;
  readonly running: boolean;
}

export interface NatsCluster extends AsyncDisposable {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated (what `connect({ servers })` takes as a list too). */
  readonly urls: string[];
  /** `kill -9` node `i` (store and ports kept). */
  crash(i: number): Promise<void>;
  /** Starts node `i` again on the same ports and store dir (no-op while running). */
  start(i: number): Promise<void>;
  /** Stops every node and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  /** Nodes (default 3). */
  size?: number;
  readyTimeoutMs?: number;
}

/** Starts the cluster and resolves once every node is ready (routes connect on their own). */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const bin = findNatsServer();
  const size = opts.size ?? 3;
  const timeoutMs = opts.readyTimeoutMs ?? 20_000;
  const root = await mkdtemp(join(tmpdir(), "oaio-cluster-"));
  const clusterName = `oaio-${process.pid}-${Date.now().toString(36)}`;
  const ports: Array<{ port: number; clusterPort: number }> = [];
  for (let i = 0; i < size; i++) ports.push({ port: await freePort(), clusterPort: await freePort() });
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.clusterPort}`);
  const nodes: Array<NatsClusterNode & { child: ChildProcess | undefined }> = [];
  for (let i = 0; i < size; i++) {
    const name = `n${i + 1}`;
    const storeDir = join(root, name);
    const configFile = join(root, `${name}.conf`);
    const { port, clusterPort } = ports[i]!;
    await writeFile(
      configFile,
      [
        `server_name: ${name}`,
        `listen: "127.0.0.1:${port}"`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
        `cluster {`,
        `  name: ${clusterName}`,
        `  listen: "127.0.0.1:${clusterPort}"`,
        `  routes: [${routes
          .filter((_, j) => j !== i)
          .map((r) => JSON.stringify(r))
          .join(", ")}]`,
        `}`,
        "",
      ].join("\n"),
    );
    nodes.push({
      name,
      url: `nats://127.0.0.1:${port}`,
      port,
      clusterPort,
      storeDir,
      configFile,
      child: undefined,
      get running() {
        return this.child !== undefined;
      },
    });
  }
  const startNode = async (i: number): Promise<void> => {
    const n = nodes[i];
    if (n === undefined) throw new RangeError(`no node ${i}`);
    if (n.child === undefined) n.child = await launch(bin, ["-c", n.configFile], timeoutMs);
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(
      nodes.map(async (n) => {
        if (n.child !== undefined) await terminate(n.child, "SIGKILL");
        n.child = undefined;
      }),
    );
    await rm(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((_, i) => startNode(i)));
    await waitForJetStream(
      nodes.map((n) => n.url),
      timeoutMs,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodes,
    urls: nodes.map((n) => n.url),
    async crash(i) {
      const n = nodes[i];
      if (n?.child !== undefined) await terminate(n.child, "SIGKILL");
      if (n !== undefined) n.child = undefined;
    },
    start: startNode,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

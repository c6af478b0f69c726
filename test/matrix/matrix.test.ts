/**
 * The live cross-language matrix (issue 12, test/matrix/README.md): on one real nats-server,
 * every peer in PEERS as client and as server of every other (and itself) for every scenario
 * in PAIR_SCENARIOS, a client-only NO_HANDLER row, and context propagation through every chain
 * of three different peers. Cells are generated from the lists: a new peer adds its rows and
 * columns. Each cell's status goes into matrix-summary.md / .json ($OAIO_MATRIX_OUT, else a
 * temporary directory), printed at the end.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it, vi } from "vitest";
import { MAVEN_TIMEOUT_MS } from "../kotlin/peer-build.js";
import { startNatsServer, type NatsServer } from "../helpers/nats-server.js";
import { KNOWN_DEFECTS } from "./defects.js";
import { PEERS, type PeerSpec } from "./peers.js";
import { flushBurst } from "./scenarios/flush.js";
import { ask, chain, noHandler, PAIR_SCENARIOS, probeHandlers, standardServes, type Outcome, type Side } from "./scenarios.js";
import { createSummary } from "./summary.js";

// Cells of a concurrent scenario (e.g. a stream handler that cannot be canceled writes for
// seconds) run all at once, not vitest's default 5 at a time.
vi.setConfig({ maxConcurrency: 32 });

let nats: NatsServer | undefined;
const sides = new Map<string, Side>();
const summary = createSummary();

function side(spec: PeerSpec): Side {
  const s = sides.get(spec.name);
  if (s === undefined) throw new Error(`peer ${spec.name} did not start (see beforeAll)`);
  return s;
}

beforeAll(async () => {
  // Compiles (Kotlin, cached by content) before anything runs that a blocked event loop would starve.
  for (const spec of PEERS) spec.prepare?.();
  nats = await startNatsServer({ noJetStream: true });
  const url = nats.url;
  const started = await Promise.allSettled(PEERS.map(async (spec) => ({ spec, peer: await spec.start(url) })));
  for (const r of started) if (r.status === "fulfilled") sides.set(r.value.spec.name, r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  for (const spec of PEERS) for (const serve of standardServes(spec)) await ask(side(spec), "serve", serve);
  // Every client reaches every server's handlers before a cell runs.
  await Promise.all(
    PEERS.map(async (c) => {
      for (const s of PEERS) await probeHandlers(side(c), side(s));
    }),
  );
}, 180_000 + MAVEN_TIMEOUT_MS);

afterAll(async () => {
  if (summary.cells.length > 0) {
    const dir = process.env["OAIO_MATRIX_OUT"] ?? mkdtempSync(join(tmpdir(), "oaio-matrix-"));
    const md = summary.write(dir, PEERS);
    process.stdout.write(`\n${md}\n(matrix summary written to ${join(dir, "matrix-summary.md")})\n`);
  }
  await Promise.all([...sides.values()].map((s) => s.peer.close()));
  await nats?.stop();
}, 60_000);

/** Runs one cell, records its status (a known defect's failure as "defect"), rethrows a failure. */
function cell(scenario: string, peers: readonly PeerSpec[], run: () => Promise<Outcome>, concurrent = false): void {
  const names = peers.map((p) => p.name);
  const defect = KNOWN_DEFECTS[[scenario, ...names].join("|")];
  const base = concurrent ? it.concurrent : it;
  (defect === undefined ? base : base.fails)(
    names.join(" → ") + (defect === undefined ? "" : ` (known defect ${defect.split(":")[0] ?? ""})`),
    async () => {
      try {
        const o = await run();
        summary.record({ scenario, peers: names, status: o.status, ...(o.reason === undefined ? {} : { reason: o.reason }) });
      } catch (err) {
        const first = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
        summary.record({ scenario, peers: names, status: defect === undefined ? "fail" : "defect", reason: defect ?? first.slice(0, 300) });
        throw err;
      }
    },
    60_000,
  );
}

describe.each(PAIR_SCENARIOS.map((s) => [s.name, s] as const))("%s (client → server)", (_name, scenario) => {
  for (const client of PEERS)
    for (const server of PEERS) cell(scenario.name, [client, server], () => scenario.run(side(client), side(server)), scenario.concurrent);
});

describe("no-handler (client only)", () => {
  for (const client of PEERS) cell("no-handler", [client], () => noHandler(side(client)));
});

describe.each([["chain", "invoke"] as const, ["chain-stream", "stream"] as const])("%s: A → B → C, B's handler %ss C (three different peers)", (name, kind) => {
  for (const a of PEERS)
    for (const b of PEERS) for (const c of PEERS) if (a !== b && b !== c && a !== c) cell(name, [a, b, c], () => chain(side(a), side(b), side(c), kind));
});

// Last: a peer that fails it may drop and reconnect its connection (defect K1).
describe("flush-burst (client only)", () => {
  for (const client of PEERS) cell("flush-burst", [client], () => flushBurst(side(client)));
});

/**
 * The package's entry points (README "Entry points"): each loads only its own concern. Every
 * entry is imported in a fresh node process (test/surface/load-probe.mjs) that records each
 * module node loads; the heavy edge packages it saw must be exactly the ones its row lists.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runProcess } from "../helpers/cli.js";

/** Packages that must load only with the entry whose concern they serve. */
const EDGE_PACKAGES = [
  "@bufbuild/protobuf",
  "@grpc/grpc-js",
  "@nats-io/jetstream",
  "@nats-io/kv",
  "@nats-io/nats-core",
  "@nats-io/transport-node",
  "@opentelemetry/api",
  "eventsource-parser",
  "fastify",
  "handlebars",
  "jose",
  "json-schema-to-typescript",
  "limiter",
  "pino",
  "ts-morph",
] as const;

const NATS = ["@nats-io/nats-core", "@nats-io/transport-node"];

/** package.json "exports" subpath → source file and the edge packages importing it may load. */
const ENTRIES: Record<string, { source: string; loads: readonly string[] }> = {
  ".": { source: "runtime/index.ts", loads: [] },
  "./nats": { source: "runtime/nats.ts", loads: NATS },
  "./jetstream": { source: "runtime/jetstream/index.ts", loads: [...NATS, "@nats-io/jetstream"] },
  "./gateway": { source: "runtime/gateway/index.ts", loads: ["eventsource-parser", "fastify", "jose"] },
  // @grpc/grpc-js loads only when a server is started with `grpc` (a dynamic import)
  "./a2a": { source: "runtime/a2a/index.ts", loads: ["@bufbuild/protobuf", "eventsource-parser", "fastify"] },
  "./a2a/kv": { source: "runtime/a2a/kv.ts", loads: [...NATS, "@nats-io/jetstream", "@nats-io/kv"] },
  "./middleware": { source: "runtime/middleware/index.ts", loads: ["@opentelemetry/api", "limiter", "pino"] },
  "./orchestration": { source: "runtime/orchestration/index.ts", loads: [] },
  "./generated": { source: "generated/ts/index.ts", loads: [] },
};

interface Probe {
  /** Absolute paths of every module loaded (ESM resolutions and node's CommonJS cache). */
  readonly modules: readonly string[];
  /** The entry's runtime export names. */
  readonly names: readonly string[];
}

const dir = mkdtempSync(join(tmpdir(), "oaio-surface-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function probe(source: string): Promise<Probe> {
  const out = join(dir, `${source.replaceAll("/", "_")}.txt`);
  const url = pathToFileURL(join(REPO_ROOT, source)).href;
  const res = await runProcess(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test/surface/load-probe.mjs"), out, url]);
  expect(res.stderr, `importing ${source}`).toBe("");
  expect(res.code).toBe(0);
  const lines = readFileSync(out, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const modules = lines
    .map((l) => (l.startsWith("cjs:") ? l.slice(4) : l.startsWith("file:") ? new URL(l).pathname : ""))
    .filter((p) => p !== "" && !p.includes("/node_modules/tsx/") && !p.includes("/node_modules/esbuild/"));
  const names = (JSON.parse(res.stdout) as Record<string, string[]>)[url] ?? [];
  return { modules: [...new Set(modules)], names };
}

/** The edge packages among `modules`, sorted. */
function edgePackages(modules: readonly string[]): string[] {
  const found = new Set<string>();
  for (const m of modules) {
    for (const pkg of EDGE_PACKAGES) if (m.includes(`/node_modules/${pkg}/`)) found.add(pkg);
  }
  return [...found].sort();
}

describe("the core entry (openagentio)", () => {
  it("loads the bus, envelopes and ajv but no fastify, jose, pino, limiter, NATS client or OpenTelemetry", async () => {
    const { modules, names } = await probe("runtime/index.ts");
    // the recorder sees what the core does load: without these the assertion below proves nothing
    expect(modules).toContain(join(REPO_ROOT, "runtime/bus/bus.ts"));
    expect(modules).toContain(join(REPO_ROOT, "runtime/transport/memory.ts"));
    expect(modules.some((m) => m.includes("/node_modules/ajv/"))).toBe(true);
    expect(edgePackages(modules)).toEqual([]);
    expect(modules.filter((m) => m.includes("/runtime/") && /\/runtime\/(gateway|a2a|middleware|jetstream)\//.test(m))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining(["createBus", "createMemoryTransport", "createEnvelope", "decode", "AcpError", "runWithContext", "createReassembler"]),
    );
    expect(names).not.toContain("connectNats");
  });
});

describe("each entry point loads only its concern", () => {
  it.each(Object.entries(ENTRIES))("%s", async (_subpath, entry) => {
    const { modules, names } = await probe(entry.source);
    expect(names.length).toBeGreaterThan(0);
    expect(edgePackages(modules)).toEqual([...entry.loads].sort());
  });
});

describe("package.json", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
    exports: Record<string, string | { types: string; default: string }>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };

  it("exports exactly the tested entries, each with types built from its source by tsconfig.build.json", () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== "./package.json");
    expect(subpaths.sort()).toEqual(Object.keys(ENTRIES).sort());
    const build = readFileSync(join(REPO_ROOT, "tsconfig.build.json"), "utf8");
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === "./package.json") continue;
      const source = ENTRIES[subpath]!.source;
      const stem = source.replace(/\.ts$/, "");
      expect(target, subpath).toEqual({ types: `./dist/${stem}.d.ts`, default: `./dist/${stem}.js` });
      expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
      expect(build, `tsconfig.build.json includes ${source}`).toContain(`"${source.split("/")[0]}`);
    }
  });

  it("keeps generator tooling and the edge servers' packages out of what a service must install", () => {
    for (const name of ["ts-morph", "json-schema-to-typescript", "handlebars", "fastify", "jose", "@nats-io/jetstream", "@nats-io/kv"]) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.peerDependencies[name], name).toBeDefined();
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
      // this repository still builds and tests with them
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
  });
});

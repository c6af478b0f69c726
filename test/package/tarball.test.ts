/**
 * The packed package as a consumer gets it (README "Use it in your project"): `npm pack` in the
 * repository (its `prepare` script builds dist/, as it does for a user), the tarball installed
 * into a fresh project with the generator's optional peers, `oaio generate --contracts` run from
 * that project, and a strict TypeScript consumer of the core entry and the generated contract
 * compiled with tsc and run with node. The commands are the README's: the test checks that the
 * README states each one it runs.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runProcess, type CliResult } from "../helpers/cli.js";

interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  exports: Record<string, string | { types: string; default: string }>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  overrides: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as PackageJson;
const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const tarballName = `${pkg.name}-${pkg.version}.tgz`;

/** The optional peers `oaio generate` needs (spec/cli.md "Optional peer dependencies"). */
const GENERATOR_PEERS = ["ts-morph", "json-schema-to-typescript", "handlebars"] as const;
const peerSpecs = GENERATOR_PEERS.map((name) => `${name}@${pkg.peerDependencies[name]}`);

/** The commands README "Use it in your project" gives, in the order the test runs them. */
const README_COMMANDS = [
  "npm pack",
  `npm install ../openagentio/${tarballName}`,
  `npm install --save-dev ${peerSpecs.join(" ")}`,
  "npx oaio generate --contracts contracts --lang ts --out src/agents",
] as const;

/** The TypeScript example of README "Use it in your project": compiled and run as it stands. */
const readmeSection = readme.slice(readme.indexOf("## Use it in your project"));
const README_EXAMPLE = /```ts\n([\s\S]*?)```/.exec(readmeSection)?.[1] ?? "";

/** README "Entry points": import specifier → the optional peers its "install too" column names. */
const README_ENTRY_PEERS = new Map(
  [...readme.matchAll(/^\| `(openagentio[^`]*)`\s*\|.*\|\s*([^|]+?)\s*\|$/gm)].map(([, spec = "", peers = ""]) => [
    spec,
    peers.trim() === "—" ? [] : peers.split(",").map((p) => p.trim().replace(/`/g, "")),
  ]),
);
const RUNTIME_PEERS = Object.keys(pkg.peerDependencies).filter((p) => !(GENERATOR_PEERS as readonly string[]).includes(p));

const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline"];

/**
 * The environment of npm children: this process's without the `npm_*` variables that running
 * under `npm`/`npx` sets (npm_config_local_prefix and friends would point the nested npm at the
 * repository instead of the temp project).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith("npm_")) env[k] = v;
  return { ...env, NO_COLOR: "1" };
}

function describeRun(what: string, r: CliResult): string {
  return `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

async function run(cmd: string, args: readonly string[], cwd: string): Promise<CliResult> {
  const r = await runProcess(cmd, args, { cwd, env: npmEnv() });
  expect(r.code, describeRun(`${cmd} ${args.join(" ")}`, r)).toBe(0);
  return r;
}

/** Every file under `dir`, as paths relative to the repo root with `/` separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)).split("\\").join("/"));
}

const CONSUMER_TS = `import { createBus, createMemoryTransport, InvalidRequestError } from "openagentio";
import { TranslatorClient, registerTranslatorHandlers, type TranslateDelta } from "./agents/ts/translator.js";

const transport = createMemoryTransport();
const agent = createBus({ agentId: "translator", transport });
const app = createBus({ agentId: "app", transport });

const served = registerTranslatorHandlers(agent, {
  async translate(input, stream) {
    const words = input.text.split(" ").map((w) => \`\${w}-\${input.target}\`);
    for (const [i, w] of words.entries()) await stream.delta(i === 0 ? w : \` \${w}\`);
    return { text: words.join(" "), source: input.source ?? "en", characters: input.text.length };
  },
  detectLanguage(input) {
    if (input.text === "???") throw new InvalidRequestError("cannot tell the language of punctuation");
    return { language: "fr", confidence: 0.9 };
  },
});

const translator = new TranslatorClient(app);
const deltas: TranslateDelta[] = [];
const output = await translator.translateStream({ text: "good morning", target: "fr" }).output((d) => void deltas.push(d));
const language = await translator.detectLanguage({ text: "bonjour" });
const error = await translator.detectLanguage({ text: "???" }).then(() => "no error", (e: unknown) => (e instanceof Error && "code" in e ? e.code : String(e)));
console.log(JSON.stringify({ deltas, output, language, error }));

/** Never called: tsc fails the build if the generated types let these through. */
export function typeChecks(): void {
  // @ts-expect-error target is required by the contract
  void translator.translate({ text: "hi" });
  // @ts-expect-error formality is "formal" | "informal"
  void translator.translate({ text: "hi", target: "fr", formality: "casual" });
}

await served.unsubscribe();
await app.close();
await agent.close();
await transport.close();
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023"],
    types: ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    outDir: "out",
    rootDir: "src",
  },
  include: ["src"],
};

describe("the packed tarball in a consumer project", () => {
  const work = mkdtempSync(join(tmpdir(), "oaio-pack-"));
  const checkoutSide = join(work, "openagentio");
  const project = join(work, "my-app");
  let tarball = "";
  let entries: string[] = [];

  beforeAll(async () => {
    // What a user runs in the checkout: `npm pack` runs `prepare` (npm run build) first, so the
    // tarball holds a dist/ built from these sources. --ignore-scripts would pack a stale or
    // missing dist/.
    mkdirSync(checkoutSide);
    const packed = await run("npm", ["pack", "--json", "--pack-destination", checkoutSide], REPO_ROOT);
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as Array<{ filename: string }>;
    expect(report[0]?.filename).toBe(tarballName);
    tarball = join(checkoutSide, tarballName);
    const listed = await run("tar", ["-tzf", tarball], work);
    entries = listed.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.replace(/^package\//, ""));
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("README gives the commands this test runs", () => {
    for (const cmd of README_COMMANDS) expect(readmeSection).toContain(cmd);
    expect(README_EXAMPLE).toContain(`from "openagentio"`);
    for (const [name, version] of Object.entries(pkg.overrides)) expect(readmeSection).toContain(`"${name}": "${version}"`);
  });

  it("README's entry point table names every exports entry and, together, exactly the runtime's optional peers", () => {
    const specs = Object.keys(pkg.exports)
      .filter((k) => k !== "./package.json")
      .map((k) => (k === "." ? "openagentio" : `openagentio${k.slice(1)}`));
    expect([...README_ENTRY_PEERS.keys()].sort()).toEqual(specs.sort());
    expect([...new Set([...README_ENTRY_PEERS.values()].flat())].sort()).toEqual(RUNTIME_PEERS.sort());
  });

  it("ships the built runtime, CLI, every exports target and the generator templates, and no tests, benches or environments", () => {
    const shipped = new Set(entries);
    expect(shipped).toContain("dist/runtime/index.js");
    expect(shipped).toContain("package.json");
    for (const target of Object.values(pkg.bin)) expect(shipped, `bin ${target}`).toContain(target.replace(/^\.\//, ""));
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const files = typeof target === "string" ? [target] : [target.types, target.default];
      for (const f of files) expect(shipped, `exports["${subpath}"] → ${f}`).toContain(f.replace(/^\.\//, ""));
    }
    const templates = ["generator"].flatMap(filesUnder).filter((f) => f.includes("/templates/"));
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) expect(shipped, t).toContain(t);
    expect(shipped).toContain("schema/agent-contract.schema.json");
    const unwanted = entries.filter(
      (f) => /^(dist\/)?(test|bench)\//.test(f) || /(^|\/)(node_modules|\.venv[^/]*|__pycache__|target|\.pytest_cache)\//.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it("leaves out what running the Python, Kotlin and other suites leaves in a checkout", async () => {
    // A copy of what "files" draws from, with the caches and build output that pytest, mypy,
    // ruff, pip, Maven and logs leave behind planted in it: the packed list must not change.
    const copy = join(work, "checkout-copy");
    mkdirSync(copy);
    const roots = new Set(pkg.files.filter((f) => !f.startsWith("!")).map((f) => f.split("/")[0] ?? f));
    for (const root of [...roots, "package.json", "README.md", "LICENSE"]) cpSync(join(REPO_ROOT, root), join(copy, root), { recursive: true });
    const planted = [
      "generated/python/src/openagentio/__pycache__/bus.cpython-312.pyc",
      "generated/python/.pytest_cache/v/cache/nodeids",
      "generated/python/.mypy_cache/3.12/bus.data.json",
      "generated/python/.ruff_cache/content",
      "generated/python/build/lib/openagentio/bus.py",
      "generated/python/dist/openagentio-0.1.0-py3-none-any.whl",
      "generated/python/src/openagentio.egg-info/PKG-INFO",
      "generated/python/.venv/bin/python",
      "generated/kotlin/target/classes/dev/openagentio/acp/Bus.class",
      "generated/node_modules/x/index.js",
      "golden/conformance.log",
    ];
    for (const f of planted) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      writeFileSync(join(copy, f), "x");
    }
    const dry = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], copy);
    const report = JSON.parse(dry.stdout.slice(dry.stdout.indexOf("["))) as Array<{ files: Array<{ path: string }> }>;
    const packed = (report[0]?.files ?? []).map((f) => f.path);
    expect(packed.filter((f) => planted.includes(f))).toEqual([]);
    expect(packed.sort()).toEqual([...entries].sort());
  });

  it("installs into a fresh project, generates a contract with npx oaio, compiles strictly and runs", async () => {
    mkdirSync(join(project, "contracts"), { recursive: true });
    mkdirSync(join(project, "src"), { recursive: true });
    cpSync(join(REPO_ROOT, "examples/contracts/translator.agent.json"), join(project, "contracts/translator.agent.json"));
    writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "my-app", private: true, type: "module", overrides: pkg.overrides }, null, 2)}\n`);

    // Installed before any TypeScript is: the tarball needs no build.
    const installed = await run("npm", ["install", ...NPM_FLAGS, `../openagentio/${tarballName}`], project);
    expect(existsSync(join(project, "node_modules/typescript"))).toBe(false);
    expect(existsSync(join(project, "node_modules/openagentio/dist/runtime/index.js"))).toBe(true);
    // The README's overrides keep every dependency installable on Node 20 (no engine warning).
    expect(installed.stderr).not.toContain("EBADENGINE");
    await run("npm", ["install", ...NPM_FLAGS, "--save-dev", ...peerSpecs], project);
    // The consumer's own compiler, the versions this repository builds with.
    await run(
      "npm",
      ["install", ...NPM_FLAGS, "--save-dev", `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies["@types/node"]}`],
      project,
    );
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(manifest.dependencies.openagentio).toBe(`file:../openagentio/${tarballName}`);
    // The lockfile pins the tarball by checksum.
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as { packages: Record<string, { integrity?: string }> };
    expect(lock.packages["node_modules/openagentio"]?.integrity).toMatch(/^sha512-/);

    const generated = await run("npx", ["--no-install", "oaio", "generate", "--contracts", "contracts", "--lang", "ts", "--out", "src/agents"], project);
    expect(generated.stdout).toContain("src/agents/ts/translator.ts");
    // Outside the package the generated code imports the runtime by its package name.
    expect(readFileSync(join(project, "src/agents/ts/support.ts"), "utf8")).toContain(`from "openagentio"`);

    writeFileSync(join(project, "tsconfig.json"), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
    writeFileSync(join(project, "src/main.ts"), CONSUMER_TS);
    writeFileSync(join(project, "src/readme-example.ts"), README_EXAMPLE);
    await run("npx", ["--no-install", "tsc", "-p", "tsconfig.json"], project);

    const example = await run(process.execPath, ["out/readme-example.js"], project);
    expect(example.stdout.trim()).toBe("{ text: 'bonjour', source: 'en', characters: 12 }");

    // Source maps name only sources a consumer has: the .ts files are not shipped, so each map
    // must carry them inline (tsconfig.build.json inlineSources).
    const installedDist = join(project, "node_modules/openagentio/dist");
    const incomplete = readdirSync(installedDist, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".js.map"))
      .filter((f) => {
        const map = JSON.parse(readFileSync(join(installedDist, f), "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
        return map.sources.some((src, i) => typeof map.sourcesContent?.[i] !== "string" && !existsSync(join(installedDist, dirname(f), src)));
      });
    expect(incomplete).toEqual([]);

    const ran = await run(process.execPath, ["out/main.js"], project);
    expect(JSON.parse(ran.stdout)).toEqual({
      deltas: ["good-fr", " morning-fr"],
      output: { text: "good-fr morning-fr", source: "en", characters: 12 },
      language: { language: "fr", confidence: 0.9 },
      error: "INVALID_REQUEST",
    });
  }, 600_000);

  it("with the runtime's optional peers installed, every entry point type-checks (library types too) and loads", async () => {
    const app = join(work, "all-entries");
    mkdirSync(join(app, "src"), { recursive: true });
    writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "all-entries", private: true, type: "module", overrides: pkg.overrides }, null, 2)}\n`);
    const peers = RUNTIME_PEERS.map((name) => `${name}@${pkg.peerDependencies[name]}`);
    const installed = await run("npm", ["install", ...NPM_FLAGS, `../openagentio/${tarballName}`, ...peers], app);
    expect(installed.stderr).not.toContain("EBADENGINE");
    await run(
      "npm",
      ["install", ...NPM_FLAGS, "--save-dev", `typescript@${pkg.devDependencies.typescript}`, `@types/node@${pkg.devDependencies["@types/node"]}`],
      app,
    );
    const specs = [...README_ENTRY_PEERS.keys()];
    const source = specs.map((spec, i) => `import * as m${i} from "${spec}";\nconsole.log("${spec}", Object.keys(m${i}).length > 0);\n`).join("");
    writeFileSync(join(app, "src/entries.ts"), source);
    writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
    await run("npx", ["--no-install", "tsc", "-p", "tsconfig.json"], app);
    const ran = await run(process.execPath, ["out/entries.js"], app);
    expect(ran.stdout.trim().split("\n")).toEqual(specs.map((spec) => `${spec} true`));
  }, 600_000);
});

/**
 * The generated TypeScript of a fixture full of keywords and odd schema shapes type-checks
 * under the project's strict settings against the runtime (`openagentio` mapped to
 * runtime/index.ts), including a typed use of its client and handlers.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";
import { loadContracts } from "../../generator/contracts/load.js";
import { emitContracts, standardEvents } from "../../generator/contracts/generate.js";
import { REPO_ROOT } from "../helpers/cli.js";

const work = mkdtempSync(join(tmpdir(), "oaio-contracts-ts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Uses the generated API the way an application would; a type error here fails the test. */
const USAGE = `
import type { Bus } from "openagentio";
import { OddClassClient, registerOddClassHandlers, oddClassContract, type WhenIsItDelta } from "./ts/odd-class.js";

export async function use(bus: Bus): Promise<number> {
  const reg = registerOddClassHandlers(bus, {
    import: (input) => input.interface.length,
    async whenIsIt(input, stream, ctx) {
      await stream.delta({ step: 1, self: input.class });
      await ctx.publish.toolCall({ call_id: "x", name: "y" });
      await ctx.publish.oddClassHappened({ typealias: String(input.from) });
      return [{ interface: input.fun["a"] === 1 ? "one" : "other", status: "not ok" }];
    },
    async text(_input, stream) {
      await stream.delta("piece");
      return "ok-ish" as const;
    },
    onOddClassHappened: (payload) => void payload.typealias,
    onOddRaw: () => undefined,
  });
  const client = new OddClassClient(bus);
  const n: number = await client.import({ interface: "i", children: [{ interface: "c" }] });
  const deltas: WhenIsItDelta[] = [];
  for await (const f of client.whenIsItStream({ class: "c", from: null, val: [{ in: 1 }], fun: {} })) {
    if (f.type === "delta") deltas.push(f.delta);
  }
  const status: "ok" | "not ok" | "ok-ish" = await client.text(undefined);
  const sub = client.onOddClassHappened((p) => void p.typealias);
  await client.publishOddRaw([1, "two"]);
  await sub.unsubscribe();
  await reg.unsubscribe();
  return n + deltas.length + status.length + oddClassContract.skills.whenIsIt.target.length;
}
`;

describe("generated TypeScript contract code", () => {
  it("type-checks strictly for a fixture of keywords and odd schema shapes", async () => {
    const ir = loadContracts(join(REPO_ROOT, "test/contracts/fixtures/odd"), { standardEvents: standardEvents(join(REPO_ROOT, "schema")) });
    const files = await emitContracts(ir, { langs: ["ts"], tsRuntimeImport: "openagentio" });
    for (const f of files) {
      mkdirSync(dirname(join(work, f.path)), { recursive: true });
      writeFileSync(join(work, f.path), f.content);
    }
    writeFileSync(join(work, "use.ts"), USAGE);
    writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
    const program = ts.createProgram([join(work, "ts/index.ts"), join(work, "use.ts")], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      typeRoots: [join(REPO_ROOT, "node_modules/@types")],
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      noImplicitOverride: true,
      skipLibCheck: true,
      noEmit: true,
      baseUrl: work,
      paths: { openagentio: [join(REPO_ROOT, "runtime/index.ts")] },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.replace(work, "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(diagnostics).toEqual([]);
  }, 120_000);
});

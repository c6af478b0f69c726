/**
 * One contract, one verdict in every language: a table of contract values (valid ones, each
 * keyword of the subset violated, nested and recursive defects, code points, JavaScript `$`)
 * is checked by the generated TypeScript, Python and Kotlin contract code, each through the
 * check its clients and handlers call. Every row must give the same error code, message and
 * cause (schema, pointer, keyword, expected) in the three languages, match the row's expected
 * keyword and pointer, and agree with ajv (the reference the validation plans follow).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { loadContracts } from "../../generator/contracts/load.js";
import { emitContracts, standardEvents } from "../../generator/contracts/generate.js";
import { KOTLIN_SOURCE_ROOT } from "../../generator/contracts/kotlin/emitter.js";
import { MODEL_EXTENSIONS } from "../../generator/ir/keywords.js";
import type { AgentContractIr, Json } from "../../generator/contracts/types.js";
import { reportSchemaErrors } from "../../runtime/envelope/schema-report.js";
import { AcpError, InvalidRequestError } from "../../runtime/errors.js";
import { createBus } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import { translatorSchemas } from "../../examples/contracts/generated/ts/translator.js";
import { contractCheck, type ContractValidator } from "../../examples/contracts/generated/ts/support.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { compileKotlin, hasMaven, runKotlin } from "./kotlin-build.js";

/** One value to check: `module` (the contract's module), `schema` (site label), and what must fail. */
interface Row {
  readonly module: "translator" | "keywords";
  readonly schema: string;
  readonly value: Json;
  /** `[keyword, pointer]` of the failure, or null for a valid value. */
  readonly fails: readonly [string, string] | null;
}

const all = (value: Json, fails: Row["fails"]): Row => ({ module: "keywords", schema: "all.input", value, fails });
const base = { name: "abc", count: 3 };
const withBase = (extra: Record<string, Json>, fails: Row["fails"]): Row => all({ ...base, ...extra }, fails);

/** `levels` arrays, one inside the other. */
const arrays = (levels: number): Json => (levels === 0 ? 0 : [arrays(levels - 1)]);
/** A Node chain `levels` deep (each level an object and its children array). */
const chain = (levels: number): Json => (levels === 1 ? { id: "leaf" } : { id: `n${levels}`, children: [chain(levels - 1)] });

const TABLE: readonly Row[] = [
  // issue 12: TypeScript let this reach the handler; Python and Kotlin failed on something else
  { module: "translator", schema: "translate.input", value: { text: "", to: "xx" }, fails: ["required", "/target"] },
  { module: "translator", schema: "translate.input", value: { text: "", target: "fr" }, fails: ["minLength", "/text"] },
  { module: "translator", schema: "translate.input", value: { text: "hi", target: "xx-yy" }, fails: ["pattern", "/target"] },
  { module: "translator", schema: "translate.input", value: { text: "hi", target: "fr", formality: "casual" }, fails: ["enum", "/formality"] },
  { module: "translator", schema: "translate.input", value: { text: "hi", target: "fr", to: "de" }, fails: ["additionalProperties", ""] },
  { module: "translator", schema: "translate.input", value: { text: "hi", target: "pt-BR", formality: "formal" }, fails: null },
  { module: "translator", schema: "translate.output", value: { text: "x", source: "fr", characters: -1 }, fails: ["minimum", "/characters"] },
  { module: "translator", schema: "translate.delta", value: 5, fails: ["type", ""] },
  { module: "translator", schema: "detect-language.output", value: { language: "fr", confidence: 1.5 }, fails: ["maximum", "/confidence"] },
  {
    module: "translator",
    schema: "detect-language.output",
    value: { language: "fr", confidence: 1, alternatives: ["it", "EN"] },
    fails: ["pattern", "/alternatives/1"],
  },
  all(base, null),
  all("abc", ["type", ""]),
  all({}, ["minProperties", ""]),
  all({ count: 3, ratio: 0.5 }, ["required", "/name"]),
  all({ name: "abc", ratio: 0.5 }, ["required", "/count"]),
  all(Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${i}`, i])), ["maxProperties", ""]),
  withBase({ extra: 1 }, ["additionalProperties", ""]),
  withBase({ name: 5 }, ["type", "/name"]),
  withBase({ name: "a" }, ["minLength", "/name"]),
  withBase({ name: "abcdefghi" }, ["maxLength", "/name"]),
  withBase({ name: "AB" }, ["pattern", "/name"]),
  withBase({ name: "abc\n" }, ["pattern", "/name"]),
  withBase({ name: "é" }, ["minLength", "/name"]),
  withBase({ count: 0 }, ["minimum", "/count"]),
  withBase({ count: 11 }, ["maximum", "/count"]),
  withBase({ count: 1.5 }, ["type", "/count"]),
  withBase({ count: "1" }, ["type", "/count"]),
  withBase({ count: true }, ["type", "/count"]),
  withBase({ ratio: 0 }, ["exclusiveMinimum", "/ratio"]),
  withBase({ ratio: 1 }, ["exclusiveMaximum", "/ratio"]),
  withBase({ ratio: 0.25 }, null),
  withBase({ tags: [] }, ["minItems", "/tags"]),
  withBase({ tags: ["a", "b", "c", "a"] }, ["maxItems", "/tags"]),
  withBase({ tags: ["a", "z"] }, ["enum", "/tags/1"]),
  withBase({ mode: "medium" }, ["enum", "/mode"]),
  withBase({ mode: 3 }, null),
  withBase({ mode: null }, null),
  withBase({ mode: "3" }, ["enum", "/mode"]),
  withBase({ fixed: { a: [1, 2] } }, null),
  withBase({ fixed: { a: [2, 1] } }, ["const", "/fixed"]),
  withBase({ either: 1.5 }, ["oneOf", "/either"]),
  withBase({ either: "s" }, null),
  withBase({ any: "x" }, ["anyOf", "/any"]),
  withBase({ any: false }, null),
  withBase({ both: 5 }, ["type", "/both"]),
  withBase({ both: "ab" }, ["minLength", "/both"]),
  // two code points, four UTF-16 units: minLength counts code points
  withBase({ both: "😀😀" }, ["minLength", "/both"]),
  withBase({ never: "s" }, ["not", "/never"]),
  withBase({ never: 1 }, null),
  withBase({ shape: { kind: "circle" } }, ["required", "/shape/radius"]),
  withBase({ shape: { kind: "square" } }, ["required", "/shape/width"]),
  withBase({ shape: { kind: "circle", radius: 1 } }, null),
  withBase({ shape: [] }, ["type", "/shape"]),
  withBase({ map: { a: 1, b: "x" } }, ["type", "/map/b"]),
  withBase({ map: { "a/b": 1.5 } }, ["type", "/map/a~1b"]),
  withBase({ nested: { id: "r", children: [{ id: "c", children: [{}] }] } }, ["required", "/nested/children/0/children/0/id"]),
  withBase({ nested: { id: "r", children: [{ id: 7 }] } }, ["type", "/nested/children/0/id"]),
  withBase({ "x~y/z": "s" }, ["type", "/x~0y~1z"]),
  withBase({ nullable: 1 }, ["type", "/nullable"]),
  withBase({ nullable: null }, null),
  { module: "keywords", schema: "all.output", value: {}, fails: ["required", "/id"] },
  { module: "keywords", schema: "words.delta", value: "toolong", fails: ["maxLength", ""] },
  { module: "keywords", schema: "words.output", value: { count: -1 }, fails: ["minimum", "/count"] },
  { module: "keywords", schema: "keywords.noted.payload", value: { note: "x".repeat(11) }, fails: ["maxLength", "/note"] },
  { module: "keywords", schema: "keywords.noted.payload", value: { note: "ok" }, fails: null },
  // the depth bound: 128 levels of arrays and objects pass, 129 are refused before any schema check
  { module: "keywords", schema: "keywords.noted.payload", value: { note: "ok", deep: arrays(127) }, fails: null },
  { module: "keywords", schema: "keywords.noted.payload", value: { note: "ok", deep: arrays(128) }, fails: ["depth", ""] },
  { module: "keywords", schema: "keywords.noted.payload", value: { note: "x".repeat(11), deep: arrays(128) }, fails: ["depth", ""] },
  // a recursive schema at the bound: 64 Node levels (128 containers) validate in every language
  { module: "keywords", schema: "all.output", value: chain(64), fails: null },
  { module: "keywords", schema: "all.output", value: chain(65), fails: ["depth", ""] },
  // without the bound the Python validator raised RecursionError here (a recursive schema, 400 levels)
  { module: "keywords", schema: "all.output", value: chain(400), fails: ["depth", ""] },
];

/** What a language reports for one row: null, or the error's code, message and cause. */
type Verdict = { code: string; message: string; cause: Record<string, unknown> } | null;

const work = mkdtempSync(join(tmpdir(), "oaio-contracts-diff-"));
const tablePath = join(work, "table.json");
let keywordsIr: AgentContractIr;
let translatorIr: AgentContractIr;
let keywordsSchemas: Readonly<Record<string, ContractValidator>>;
/** The fixture's generated TypeScript module (its runtime imported by path). */
let keywordsModule: KeywordsModule;

interface KeywordsModule {
  keywordsSchemas: Readonly<Record<string, ContractValidator>>;
  KeywordsClient: new (
    bus: import("../../runtime/bus/index.js").Bus,
  ) => {
    words(input: { text: string }): Promise<{ count: number }>;
  };
  registerKeywordsHandlers(
    bus: import("../../runtime/bus/index.js").Bus,
    impl: {
      all(input: unknown): unknown;
      words(input: { text: string }, stream: { delta(d: string): Promise<void> }): Promise<{ count: number }>;
    },
  ): { unsubscribe(): Promise<void> };
}

beforeAll(async () => {
  const events = standardEvents(join(REPO_ROOT, "schema"));
  keywordsIr = loadContracts(join(REPO_ROOT, "test/contracts/fixtures/keywords"), { standardEvents: events }).contracts[0]!;
  translatorIr = loadContracts(join(REPO_ROOT, "examples/contracts"), { standardEvents: events }).contracts.find((c) => c.name === "translator")!;
  // The fixture's generated code, TypeScript importing this checkout's runtime by path.
  const files = await emitContracts({ contracts: [keywordsIr] }, { langs: ["ts", "python", "kotlin"], tsRuntimeImport: join(REPO_ROOT, "runtime/index.ts") });
  for (const f of files) {
    mkdirSync(dirname(join(work, "gen", f.path)), { recursive: true });
    writeFileSync(join(work, "gen", f.path), f.content);
  }
  keywordsModule = (await import(pathToFileURL(join(work, "gen/ts/keywords.ts")).href)) as KeywordsModule;
  keywordsSchemas = keywordsModule.keywordsSchemas;
  writeFileSync(tablePath, JSON.stringify(TABLE.map(({ module, schema, value }) => ({ module, schema, value }))));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tsVerdicts(): Verdict[] {
  const checks = { translator: contractCheck("translator", translatorSchemas), keywords: contractCheck("keywords", keywordsSchemas) };
  return TABLE.map((row) => {
    try {
      checks[row.module](row.schema, row.value);
      return null;
    } catch (err: unknown) {
      if (!(err instanceof AcpError)) throw err;
      return { code: err.code, message: err.message, cause: err.cause as Record<string, unknown> };
    }
  });
}

/** What ajv (allErrors: false, the order the plans follow) reports for the row's schema. */
function ajvVerdict(row: Row): { pointer: string; expected: string } | null {
  const c = row.module === "keywords" ? keywordsIr : translatorIr;
  const [id, part] = [row.schema.slice(0, row.schema.lastIndexOf(".")), row.schema.slice(row.schema.lastIndexOf(".") + 1)];
  const skill = c.skills.find((s) => s.id === id);
  const event = [...c.publishes, ...c.subscribes].find((e) => e.type === id);
  const schema = part === "input" ? skill?.input : part === "output" ? skill?.output : part === "delta" ? skill?.delta?.schema : event?.payload;
  const ajv = new Ajv2020({ strict: false, allErrors: false, verbose: true });
  ajv.addVocabulary([...MODEL_EXTENSIONS]);
  const validate = ajv.compile(typeof schema === "boolean" ? schema : { ...(schema as object), $defs: Object.fromEntries(c.defs) });
  if (validate(row.value)) return null;
  const defect = reportSchemaErrors(validate.errors, row.value);
  return { pointer: defect.pointer, expected: defect.expected };
}

describe("contract validation, the same in every language", () => {
  it("TypeScript: each row fails with the expected keyword and pointer, as ajv reports it", () => {
    const ts = tsVerdicts();
    expect(ts.map((v) => (v === null ? null : [v.cause["keyword"], v.cause["pointer"]]))).toEqual(TABLE.map((r) => r.fails));
    expect(ts.every((v) => v === null || v.code === "INVALID_REQUEST")).toBe(true);
    // ajv has no depth bound: compare the rows the schema decides
    const bySchema = TABLE.map((r, i) => ({ r, v: ts[i] })).filter(({ r }) => r.fails?.[0] !== "depth");
    expect(bySchema.map(({ v }) => (v === null || v === undefined ? null : { pointer: v.cause["pointer"], expected: v.cause["expected"] }))).toEqual(
      bySchema.map(({ r }) => ajvVerdict(r)),
    );
    // the message names agent, value, pointer, expected and keyword
    expect(ts[0]?.message).toBe('translator translate.input /target: expected property "target" (required)');
    expect(ts[1]?.message).toBe("translator translate.input /text: expected a non-empty string (minLength)");
  });

  it("Python gives TypeScript's code, message and cause for every row", () => {
    const pkg = join(work, "py");
    cpSync(join(REPO_ROOT, "examples/contracts/generated/python"), pkg, { recursive: true });
    cpSync(join(work, "gen/python/openagentio_contracts/keywords.py"), join(pkg, "openagentio_contracts/keywords.py"));
    const out = execFileSync(join(REPO_ROOT, ".venv/bin/python"), ["-B", join(REPO_ROOT, "test/contracts/fixtures/contract_check.py"), tablePath], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, PYTHONPATH: `${pkg}:${join(REPO_ROOT, "generated/python/src")}` },
    });
    expect(JSON.parse(out) as Verdict[]).toEqual(tsVerdicts());
  }, 180_000);

  it.skipIf(!hasMaven())(
    "Kotlin gives TypeScript's code, message and cause for every row",
    () => {
      const kt = join(work, "kt");
      mkdirSync(kt);
      const built = compileKotlin(kt, [
        join(REPO_ROOT, "generated/kotlin/src/main/kotlin"),
        join(REPO_ROOT, "examples/contracts/generated", KOTLIN_SOURCE_ROOT),
        join(work, "gen", KOTLIN_SOURCE_ROOT, "dev/openagentio/contracts/keywords"),
        join(REPO_ROOT, "test/contracts/fixtures/kotlin-check"),
      ]);
      expect(built).toEqual({ code: 0, output: [] });
      const out = runKotlin(kt, "dev.openagentio.contracts.check.ContractCheckKt", [tablePath]);
      expect(JSON.parse(out) as Verdict[]).toEqual(tsVerdicts());
    },
    360_000,
  );

  it("TypeScript checks stream deltas in the handler's writer and in the client", async () => {
    const transport = createMemoryTransport();
    const agent = createBus({ agentId: "keywords", transport });
    const caller = createBus({ agentId: "caller", transport });
    try {
      let writerError: unknown;
      const reg = keywordsModule.registerKeywordsHandlers(agent, {
        all: () => ({ id: "root" }),
        async words(input, stream) {
          for (const w of input.text.split(" ")) {
            try {
              await stream.delta(w);
            } catch (err: unknown) {
              writerError ??= err;
            }
          }
          return { count: input.text.split(" ").length };
        },
      });
      // the handler's writer refuses a delta longer than 5 code points; the others go out
      await expect(new keywordsModule.KeywordsClient(caller).words({ text: "ab toolong cd" })).resolves.toEqual({ count: 3 });
      expect(writerError).toBeInstanceOf(InvalidRequestError);
      expect((writerError as InvalidRequestError).cause).toEqual({
        schema: "words.delta",
        pointer: "",
        keyword: "maxLength",
        expected: "a string of at most 5 characters",
      });
      await reg.unsubscribe();
      // a handler that is not the generated one: the client refuses the delta it receives
      const raw = agent.handleStream("keywords:words", async (_input, writer) => {
        await writer.delta("toolong");
        return { count: 1 };
      });
      const err: unknown = await new keywordsModule.KeywordsClient(caller).words({ text: "x" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestError);
      expect((err as InvalidRequestError).cause).toMatchObject({ schema: "words.delta", keyword: "maxLength" });
      await raw.unsubscribe();
    } finally {
      await caller.close();
      await agent.close();
    }
  });
});

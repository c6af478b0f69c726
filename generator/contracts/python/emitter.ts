/**
 * Python output of `oaio generate --contracts`: the package `openagentio_contracts` under
 * `python/`, with `_support.py`, one module per contract (`task_worker.py`) and `py.typed`.
 * It depends on the generated `openagentio` SDK (Envelope, payload models, `openagentio.runtime.Bus`).
 */
import { generatedHeader, type GeneratedFile } from "../../emitter.js";
import { agentNames } from "../names.js";
import type { ContractIr } from "../types.js";
import { pythonModule } from "./module.js";
import { pythonSupportSource } from "./support.js";
import { formatPython } from "./format.js";
import { wrap } from "../../python/pyfmt.js";
import { PYTHON_PACKAGE_VERSION } from "../../python/view.js";

/** Package (import name) of the generated Python contract code. */
export const PYTHON_PACKAGE = "openagentio_contracts";

/** Names a module may import, by source module, in the order they are written. */
const IMPORTS: readonly (readonly [string, readonly string[]])[] = [
  ["__future__", ["annotations"]],
  ["", []],
  ["re", []],
  ["collections.abc", ["AsyncIterator", "Awaitable", "Callable", "Mapping"]],
  ["dataclasses", ["dataclass", "field"]],
  ["enum", ["StrEnum"]],
  ["typing", ["ClassVar", "Final", "Literal", "Protocol", "Self", "TypeAlias"]],
  ["", []],
  ["openagentio", ["ABSENT", "Absent", "Envelope", "JsonObject", "JsonValue", "SchemaDefect"]],
  ["openagentio._json", ["is_integer", "is_number", "json_equal"]],
  ["openagentio.runtime", ["Bus", "HandlerContext", "StreamWriter", "Subscription"]],
  ["", []],
  [".", []],
];

const SUPPORT_NAMES = [
  "T",
  "Validator",
  "_always_valid",
  "_defect",
  "_missing",
  "check_value",
  "DataDeltaWriter",
  "DeltaWriter",
  "SkillFrame",
  "SkillInfo",
  "TextDeltaWriter",
  "child",
  "read_bool",
  "read_enum",
  "read_float",
  "read_int",
  "read_list",
  "read_object",
  "read_str",
  "required",
  "skills",
  "stream_output",
  "typed_stream",
];

/** isort's order of imported names: CONSTANTS, then Classes, then the rest, each by code point. */
function isortNames(names: readonly string[]): string[] {
  const rank = (n: string): number => (n.length > 1 && n === n.toUpperCase() ? 0 : /^[A-Z]/.test(n) ? 1 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The import block of a module whose body is `body` (only names the body uses). */
function importBlock(body: string, sdkModels: readonly string[]): string {
  const used = (name: string): boolean => new RegExp(`(?<![\\w.])${name}(?![\\w])`).test(body);
  const groups: string[][] = [[]];
  for (const [mod, names] of IMPORTS) {
    if (mod === "") {
      groups.push([]);
      continue;
    }
    if (mod === "re") {
      if (/(?<![\w.])re\./.test(body)) groups[groups.length - 1]!.push("import re");
      continue;
    }
    const list = mod === "__future__" ? names : mod === "." ? isortNames(SUPPORT_NAMES.filter(used)) : names.filter(used);
    const all =
      mod === "openagentio"
        ? [...list, ...sdkModels].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
        : list;
    if (all.length === 0) continue;
    const from = mod === "." ? "._support" : mod;
    const one = `from ${from} import ${all.join(", ")}`;
    groups[groups.length - 1]!.push(one.length <= 100 ? one : `from ${from} import (\n${all.map((n) => `    ${n},`).join("\n")}\n)`);
  }
  return groups
    .filter((g) => g.length > 0)
    .map((g) => g.join("\n"))
    .join("\n\n");
}

/** Distribution name of the generated package (`pip install` name). */
export const PYTHON_DISTRIBUTION = "openagentio-contracts";

/**
 * `python/pyproject.toml`: an installable package (setuptools, `pip install <out>/python`)
 * depending on the generated SDK `openagentio` of the same toolkit version.
 */
function pyproject(ir: ContractIr, header: string): string {
  const agents = ir.contracts.map((c) => `${c.name} ${c.version}`).join(", ");
  return [
    header,
    "[build-system]",
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    "",
    "[project]",
    `name = "${PYTHON_DISTRIBUTION}"`,
    `version = "${PYTHON_PACKAGE_VERSION}"`,
    `description = ${JSON.stringify(`Typed clients and handlers of agent contracts (${agents}) on the openagentio runtime Bus.`)}`,
    'requires-python = ">=3.11"',
    `dependencies = ["openagentio==${PYTHON_PACKAGE_VERSION}"]`,
    "",
    "[project.optional-dependencies]",
    `nats = ["openagentio[nats]==${PYTHON_PACKAGE_VERSION}"]`,
    "",
    "[tool.setuptools]",
    `packages = ["${PYTHON_PACKAGE}"]`,
    "",
    "[tool.setuptools.package-data]",
    `${PYTHON_PACKAGE} = ["py.typed"]`,
    "",
  ].join("\n");
}

/** Emits the Python package of every contract. */
export function emitPythonContracts(ir: ContractIr): GeneratedFile[] {
  const root = `python/${PYTHON_PACKAGE}`;
  const header = (from: string): string => generatedHeader("#", from);
  const files: GeneratedFile[] = [
    { path: `${root}/_support.py`, content: pythonSupportSource(header("agent contracts")) },
    { path: `${root}/py.typed`, content: "" },
    { path: "python/pyproject.toml", content: pyproject(ir, header("agent contracts")) },
  ];
  for (const c of ir.contracts) {
    const m = pythonModule(c);
    const description = wrap(c.description.split('"""').join("'''"), 96).join("\n");
    const doc = `"""${c.title} ${c.version} (agent contract "${c.name}").\n\n${description}\n"""`;
    // isort: two blank lines before a class or def after the imports, one before anything else.
    const gap = /^(class |def |async def |@)/.test(m.body) ? "\n\n\n" : "\n\n";
    const content = `${header(c.file)}\n${doc}\n\n${importBlock(m.body, m.sdkModels)}${gap}${m.body}`;
    files.push({ path: `${root}/${agentNames(c.name).module}.py`, content: formatPython(content) });
  }
  const modules = ir.contracts.map((c) => `    ${agentNames(c.name).module}: ${c.title} ${c.version}`);
  const shared = ["DataDeltaWriter", "Delta", "DeltaWriter", "Final", "Other", "SkillFrame", "SkillInfo", "SkillMode", "Started", "TextDeltaWriter"];
  const init = [
    header("agent contracts"),
    `"""Typed clients and handlers of the agent contracts, one module per agent:\n\n${modules.join("\n")}\n\nThe stream frame and delta writer types they share are exported here.\n"""`,
    "",
    `from ._support import (\n${shared.map((n) => `    ${n},`).join("\n")}\n)`,
    "",
    `__all__ = [\n${shared.map((n) => `    ${JSON.stringify(n)},`).join("\n")}\n]`,
    "",
  ];
  files.push({ path: `${root}/__init__.py`, content: init.join("\n") });
  return files;
}

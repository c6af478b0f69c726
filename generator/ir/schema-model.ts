/**
 * The typed schema model every language renders from: each schema node of the loaded
 * documents becomes a {@link SchemaNode} with its keywords as typed attributes, `$ref`s
 * resolved to node ids, and a validation plan (validation-plan.ts) that fixes the order of
 * the assertions, the error code (keyword) and the pointer each one reports. Built and
 * checked once; a keyword outside the subset (keywords.ts) is a problem naming file and
 * pointer. Emitters never read raw schema JSON for validation or typing.
 */
import { posix } from "node:path";
import { isObject, type Json } from "./types.js";
import { JSON_TYPES, escapeToken, isAnnotation, isSupportedKeyword, unescapeToken, type JsonType } from "./keywords.js";
import { planFor, type Step } from "./validation-plan.js";

/** Identity of a node: `file#pointer` (pointer RFC 6901, "" for the document root). */
export type NodeId = string;

/** One schema document (or a file embedding schemas, like an agent contract). */
export interface ModelDoc {
  /** Path of the file as problems name it, e.g. `payloads/error.schema.json`. */
  readonly file: string;
  /** Absolute `$id` of the document, when it has one (`$ref`s may use it). */
  readonly id?: string;
  /** The parsed file. */
  readonly json: Json;
}

/**
 * How a context field flows (spec/bus.md "Context propagation"): `copy` fields are copied
 * unchanged into replies and into everything sent while handling an envelope; `trace` fields
 * (W3C trace context) are copied into replies and continued with a new span id elsewhere.
 */
export type ContextKind = "copy" | "trace";

/** One property of an object node. */
export interface PropertyEdge {
  readonly name: string;
  readonly node: NodeId;
}

/** A schema node with its keywords as typed attributes. */
export interface SchemaNode {
  readonly id: NodeId;
  readonly file: string;
  readonly pointer: string;
  /** The boolean schema `false` (nothing is valid). */
  readonly never: boolean;
  readonly title?: string;
  readonly description?: string;
  /** The `x-expected` annotation: what every language says a failing value should be. */
  readonly expected?: string;
  /** The `x-context` annotation: how an envelope field flows as context (spec/bus.md). */
  readonly context?: ContextKind;
  /** The `default` annotation (what a writer fills in; validation ignores it). */
  readonly default?: { readonly value: Json };
  /** The keywords of the node, in schema order (annotations included). */
  readonly keywords: readonly string[];
  readonly types: readonly JsonType[];
  readonly ref?: NodeId;
  readonly const?: { readonly value: Json };
  readonly enum?: readonly Json[];
  readonly not?: NodeId;
  readonly anyOf?: readonly NodeId[];
  readonly oneOf?: readonly NodeId[];
  readonly allOf?: readonly NodeId[];
  readonly if?: NodeId;
  readonly then?: NodeId;
  readonly else?: NodeId;
  readonly maximum?: number;
  readonly minimum?: number;
  readonly exclusiveMaximum?: number;
  readonly exclusiveMinimum?: number;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly items?: NodeId;
  readonly maxProperties?: number;
  readonly minProperties?: number;
  /** Required property names, in schema order. */
  readonly required: readonly string[];
  /** True when the node has a `properties` keyword (even an empty one). */
  readonly hasProperties: boolean;
  readonly properties: readonly PropertyEdge[];
  /** `additionalProperties`: a node id, or `false` (no other property allowed). */
  readonly additionalProperties?: NodeId | false;
  /** True when no value can fail the node (only annotations, or `true`). */
  readonly alwaysValid: boolean;
  /** The assertions in the order every language evaluates them. */
  readonly plan: readonly Step[];
}

/** A problem found while building the model. */
export interface ModelProblem {
  readonly file: string;
  readonly pointer: string;
  readonly message: string;
}

/** The model of a set of documents. */
export interface SchemaModel {
  /** The node with `id`; throws naming it when the model has none. */
  node(id: NodeId): SchemaNode;
  /** The node at `pointer` of `file` (the root when pointer is ""). */
  at(file: string, pointer?: string): SchemaNode;
  /** Follows `$ref`s from `node` while the node is a bare reference (at most 32 hops). */
  target(node: SchemaNode): SchemaNode;
  /** Every node, in build order. */
  readonly nodes: ReadonlyMap<NodeId, SchemaNode>;
}

/** Thrown when a model cannot be built; lists every problem. */
export class SchemaModelError extends Error {
  readonly code = "INVALID_REQUEST" as const;
  readonly problems: readonly ModelProblem[];

  constructor(problems: readonly ModelProblem[]) {
    super(`${problems.length} schema problem(s):\n${problems.map((p) => `  ${p.file}${p.pointer ? `#${p.pointer}` : ""}: ${p.message}`).join("\n")}`);
    this.name = "SchemaModelError";
    this.problems = problems;
  }
}

const nodeId = (file: string, pointer: string): NodeId => `${file}#${pointer}`;

class Builder {
  readonly nodes = new Map<NodeId, SchemaNode>();
  readonly problems: ModelProblem[] = [];
  private readonly byFile = new Map<string, ModelDoc>();
  private readonly byId = new Map<string, ModelDoc>();
  private readonly building = new Set<NodeId>();

  constructor(docs: readonly ModelDoc[]) {
    for (const d of docs) {
      this.byFile.set(d.file, d);
      if (d.id !== undefined) this.byId.set(d.id, d);
    }
  }

  private problem(file: string, pointer: string, message: string): void {
    this.problems.push({ file, pointer, message });
  }

  private lookup(doc: ModelDoc, pointer: string): Json | undefined {
    let v: Json | undefined = doc.json;
    for (const t of pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeToken)) {
      v = Array.isArray(v) ? v[Number(t)] : isObject(v) ? v[t] : undefined;
    }
    return v;
  }

  /** Builds (once) the node at `pointer` of `file`; returns its id. */
  build(file: string, pointer: string): NodeId {
    const id = nodeId(file, pointer);
    if (this.nodes.has(id) || this.building.has(id)) return id;
    const doc = this.byFile.get(file);
    const raw = doc === undefined ? undefined : this.lookup(doc, pointer);
    if (typeof raw !== "boolean" && !isObject(raw)) {
      this.problem(file, pointer, "not a schema (a JSON object or a boolean)");
      this.nodes.set(id, emptyNode(id, file, pointer, false));
      return id;
    }
    this.building.add(id);
    const node = typeof raw === "boolean" ? emptyNode(id, file, pointer, !raw) : this.object(file, pointer, raw);
    this.building.delete(id);
    this.nodes.set(id, node);
    return id;
  }

  private resolveRef(file: string, at: string, ref: string): NodeId | undefined {
    const hash = ref.indexOf("#");
    const filePart = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? "" : decodeURIComponent(ref.slice(hash + 1));
    let target: ModelDoc | undefined;
    if (filePart === "") target = this.byFile.get(file);
    else if (/^[a-z][a-z0-9+.-]*:/iu.test(filePart)) target = this.byId.get(filePart);
    else target = this.byFile.get(posix.normalize(posix.join(posix.dirname(file), filePart)));
    if (target === undefined) {
      this.problem(file, at, `$ref "${ref}" names no loaded schema document`);
      return undefined;
    }
    if (fragment !== "" && !fragment.startsWith("/")) {
      this.problem(file, at, `$ref "${ref}": only JSON pointer fragments are supported`);
      return undefined;
    }
    if (this.lookup(target, fragment) === undefined) {
      this.problem(file, at, `$ref "${ref}" does not resolve`);
      return undefined;
    }
    return this.build(target.file, fragment);
  }

  private object(file: string, pointer: string, s: { [key: string]: Json }): SchemaNode {
    const at = (...tokens: (string | number)[]): string => pointer + tokens.map((t) => `/${escapeToken(String(t))}`).join("");
    const bad = (keyword: string, what: string): void => this.problem(file, at(keyword), `${keyword} must be ${what}`);
    const num = (k: string): number | undefined => {
      const v = s[k];
      if (v === undefined) return undefined;
      if (typeof v !== "number") bad(k, "a number");
      return typeof v === "number" ? v : undefined;
    };
    const sub = (k: string): NodeId | undefined => (k in s ? this.build(file, at(k)) : undefined);
    const list = (k: string): NodeId[] | undefined => {
      const v = s[k];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.length === 0) {
        bad(k, "a non-empty array of schemas");
        return undefined;
      }
      return v.map((_x, i) => this.build(file, at(k, i)));
    };
    for (const k of Object.keys(s)) {
      if (!isSupportedKeyword(k)) {
        this.problem(file, at(k), `keyword "${k}" is outside the schema subset every language implements (spec/generator.md "Keyword subset")`);
      }
    }
    const rawType = s["type"];
    const types = rawType === undefined ? [] : (Array.isArray(rawType) ? rawType : [rawType]).map(String);
    for (const t of types) if (!(JSON_TYPES as readonly string[]).includes(t)) bad("type", `one of ${JSON_TYPES.join(", ")}`);
    const ref = typeof s["$ref"] === "string" ? this.resolveRef(file, at("$ref"), s["$ref"]) : undefined;
    if ("$ref" in s && typeof s["$ref"] !== "string") bad("$ref", "a string");
    const props = s["properties"];
    if (props !== undefined && !isObject(props)) bad("properties", "an object");
    const properties = isObject(props) ? Object.keys(props).map((name) => ({ name, node: this.build(file, at("properties", name)) })) : [];
    const req = s["required"];
    if (req !== undefined && !(Array.isArray(req) && req.every((r) => typeof r === "string"))) bad("required", "an array of strings");
    const ap = s["additionalProperties"];
    const additionalProperties = ap === undefined ? undefined : ap === false ? (false as const) : this.build(file, at("additionalProperties"));
    if (s["enum"] !== undefined && !Array.isArray(s["enum"])) bad("enum", "an array");
    if (s["pattern"] !== undefined && typeof s["pattern"] !== "string") bad("pattern", "a string");
    // $defs are part of the model (checked even when nothing references them).
    if (isObject(s["$defs"])) for (const name of Object.keys(s["$defs"])) this.build(file, at("$defs", name));
    const str = (k: string): string | undefined => (typeof s[k] === "string" ? (s[k] as string) : undefined);
    const rawContext = s["x-context"];
    const context: ContextKind | undefined = rawContext === "copy" || rawContext === "trace" ? rawContext : undefined;
    if (rawContext !== undefined && context === undefined) {
      this.problem(file, at("x-context"), `must be "copy" or "trace", not ${JSON.stringify(rawContext)}`);
    }
    const node: Omit<SchemaNode, "plan" | "alwaysValid"> = {
      id: nodeId(file, pointer),
      file,
      pointer,
      never: false,
      ...opt("title", str("title")),
      ...opt("description", str("description")),
      ...opt("expected", str("x-expected")),
      ...opt("context", context),
      ...("default" in s ? { default: { value: s["default"] as Json } } : {}),
      keywords: Object.keys(s),
      types: types.filter((t): t is JsonType => (JSON_TYPES as readonly string[]).includes(t)),
      ...opt("ref", ref),
      ...("const" in s ? { const: { value: s["const"] as Json } } : {}),
      ...opt("enum", Array.isArray(s["enum"]) ? s["enum"] : undefined),
      ...opt("not", sub("not")),
      ...opt("anyOf", list("anyOf")),
      ...opt("oneOf", list("oneOf")),
      ...opt("allOf", list("allOf")),
      ...opt("if", sub("if")),
      ...opt("then", sub("then")),
      ...opt("else", sub("else")),
      ...opt("maximum", num("maximum")),
      ...opt("minimum", num("minimum")),
      ...opt("exclusiveMaximum", num("exclusiveMaximum")),
      ...opt("exclusiveMinimum", num("exclusiveMinimum")),
      ...opt("maxLength", num("maxLength")),
      ...opt("minLength", num("minLength")),
      ...opt("pattern", str("pattern")),
      ...opt("maxItems", num("maxItems")),
      ...opt("minItems", num("minItems")),
      ...opt("items", sub("items")),
      ...opt("maxProperties", num("maxProperties")),
      ...opt("minProperties", num("minProperties")),
      required: Array.isArray(req) ? req.map(String) : [],
      hasProperties: isObject(props),
      properties,
      ...opt("additionalProperties", additionalProperties),
    };
    // `then` / `else` without `if` never fail.
    const alwaysValid = node.keywords.every((k) => isAnnotation(k) || ((k === "then" || k === "else") && !("if" in s)));
    return { ...node, alwaysValid, plan: [] };
  }

  /** Fills in every node's plan (needs all nodes built: plans read children). */
  plan(model: SchemaModel): void {
    for (const [id, node] of this.nodes) this.nodes.set(id, { ...node, plan: planFor(node, model) });
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function emptyNode(id: NodeId, file: string, pointer: string, never: boolean): SchemaNode {
  return { id, file, pointer, never, keywords: [], types: [], required: [], hasProperties: false, properties: [], alwaysValid: !never, plan: [] };
}

/**
 * Builds the model of the schemas rooted at `roots` (`[file, pointer]`; every document root
 * when omitted) and everything they reference. Returns the problems instead of throwing.
 */
export function buildSchemaModel(docs: readonly ModelDoc[], roots?: readonly (readonly [string, string])[]): { model: SchemaModel; problems: ModelProblem[] } {
  const b = new Builder(docs);
  for (const [file, pointer] of roots ?? docs.map((d) => [d.file, ""] as const)) b.build(file, pointer);
  const model: SchemaModel = {
    nodes: b.nodes,
    node(id) {
      const n = b.nodes.get(id);
      if (n === undefined) throw new Error(`schema model has no node ${id}`);
      return n;
    },
    at(file, pointer = "") {
      return this.node(nodeId(file, pointer));
    },
    target(node) {
      let cur = node;
      for (let i = 0; i < 32 && cur.ref !== undefined && cur.keywords.every((k) => k === "$ref" || isAnnotation(k)); i++) cur = this.node(cur.ref);
      return cur;
    },
  };
  if (b.problems.length === 0) b.plan(model);
  return { model, problems: b.problems };
}

/** {@link buildSchemaModel}, throwing {@link SchemaModelError} on any problem. */
export function schemaModel(docs: readonly ModelDoc[], roots?: readonly (readonly [string, string])[]): SchemaModel {
  const { model, problems } = buildSchemaModel(docs, roots);
  if (problems.length > 0) throw new SchemaModelError(problems);
  return model;
}

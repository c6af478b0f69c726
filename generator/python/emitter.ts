/**
 * The Python emitter: writes generated/python/, an installable package (`openagentio`,
 * src layout, hatchling) with typed models, compiled validators, a decoder reporting the same
 * code and JSON pointer as TypeScript, an RFC 8785 encoder, catalogue constants, bus API
 * Protocols, and a pytest suite that runs the golden corpus.
 *
 * Structure comes from Handlebars templates (generator/python/templates/); what varies with
 * the schema comes from {@link buildView}. quicktype-core's Python renderer was tried for the
 * models and not used: it emits `Any`-typed helpers that fail `mypy --strict`, validates with
 * `assert`, and neither keeps unknown properties nor tells an absent field from a JSON null.
 */
import type { Emitter, GeneratedFile } from "../emitter.js";
import type { Ir } from "../ir/types.js";
import { loadTemplates, type Templates } from "./templates.js";
import { buildView } from "./view.js";

/** Where a template's output goes, relative to the output root. */
export function outputPath(template: string): string {
  if (template.startsWith("src/")) return `python/src/openagentio/${template.slice(4)}`;
  return `python/${template}`;
}

/** Envelope fields and event types the asyncio runtime (templates/src/runtime/) reads. */
const RUNTIME_FIELDS = [
  "spec_version",
  "schema_version",
  "event_id",
  "event_type",
  "occurred_at",
  "trace_id",
  "span_id",
  "traceparent",
  "session_id",
  "conversation_id",
  "correlation_id",
  "reply_to",
  "from",
  "to",
  "channel",
  "tenant_id",
  "user_id",
  "frame_type",
  "phase",
  "seq",
  "is_final",
  "payload",
  "metadata",
];
const RUNTIME_EVENT_TYPES = [
  "agent.message.received",
  "agent.response.started",
  "agent.response.delta",
  "agent.response.final",
  "agent.response.error",
  "agent.stream.cancel",
  "agent.tool.call",
];

/**
 * Whether the schema is the ACP envelope the runtime is written against (spec/python.md): the
 * runtime and its tests are emitted verbatim, so a schema without these fields (a test
 * fixture) gets the models, codec and catalogue only.
 */
function hasBusRuntime(ir: Ir): boolean {
  const fields = new Set(ir.fields.map((f) => f.name));
  const events = new Set(ir.eventTypes.map((e) => e.name));
  return RUNTIME_FIELDS.every((f) => fields.has(f)) && RUNTIME_EVENT_TYPES.every((e) => events.has(e));
}

const isRuntime = (template: string): boolean => template.startsWith("src/runtime/") || template.startsWith("tests/test_bus_");

/** Emits the package with the given templates (default: generator/python/templates/). */
export function createPythonEmitter(templates?: () => Templates): Emitter {
  return {
    name: "python",
    root: "python",
    async emit(ir: Ir): Promise<readonly GeneratedFile[]> {
      const t = templates ? templates() : loadTemplates();
      const runtime = hasBusRuntime(ir);
      const view = buildView(ir, runtime);
      const files = t.paths.filter((p) => runtime || !isRuntime(p)).map((p) => ({ path: outputPath(p), content: t.render(p, view) }));
      return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
}

export const pythonEmitter: Emitter = createPythonEmitter();

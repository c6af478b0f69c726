/**
 * The generator's intermediate representation: everything the emitters need, loaded once
 * from schema/ and cross-checked. Emitters take an `Ir` and return files; they never read
 * schema/ themselves.
 */

import type { A2aIr } from "./a2a.js";
import type { SchemaModel } from "./schema-model.js";

/** A JSON value as read from a schema file. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a JSON object (not null, not an array). */
export function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A JSON Schema object (kept as parsed data). */
export type JsonSchema = { [key: string]: Json };

/** One schema document from schema/. */
export interface SchemaDoc {
  /** Path relative to schema/, e.g. `payloads/error.schema.json`. */
  readonly file: string;
  /** The document's `$id`. */
  readonly id: string;
  /** The document's `title`: the type name emitters use. */
  readonly title: string;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** One top-level envelope field. */
export interface FieldIr {
  readonly name: string;
  readonly required: boolean;
  /** JSON type of the field (`"any"` when the schema does not constrain it). */
  readonly jsonType: "string" | "integer" | "boolean" | "object" | "any";
  readonly description: string;
  /** Enum values when the field is an enum (phase). */
  readonly enumValues?: readonly string[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  /** The schema's `default` (spec_version, schema_version), when it has one. */
  readonly default?: { readonly value: Json };
}

/** One standard event type from catalog/event-types.json. */
export interface EventTypeIr {
  readonly name: string;
  /** UPPER_SNAKE constant name, e.g. RESPONSE_FINAL. */
  readonly constName: string;
  readonly frameType: string | null;
  readonly terminal: boolean;
  /** The payload schema document. */
  readonly payload: SchemaDoc;
  readonly allowedPhases: readonly string[];
  /** First of allowedPhases: what the runtime dual-writes. */
  readonly defaultPhase: string;
  readonly extension: boolean;
  readonly description: string;
}

/** One phase from catalog/phases.json. */
export interface PhaseIr {
  readonly name: string;
  readonly terminal: boolean;
  readonly a2aTaskState: string;
  readonly a2aV03State: string;
  readonly description: string;
}

/** One error code from catalog/error-codes.json. */
export interface ErrorCodeIr {
  readonly code: string;
  readonly retryable: boolean;
  readonly httpStatus: number;
  readonly a2aJsonRpcCode: number;
  readonly extension: boolean;
  readonly description: string;
}

/** A NATS subject template from catalog/subjects.json. */
export interface SubjectIr {
  readonly name: string;
  readonly template: string;
  readonly description: string;
}

/** A token rule (target, tenant, event_type, prefix). */
export interface TokenRuleIr {
  readonly name: string;
  readonly pattern: string;
  readonly description: string;
}

/** A reserved metadata key. */
export interface MetadataKeyIr {
  readonly key: string;
  readonly type: string;
  readonly writer: string;
  readonly description: string;
}

/** Everything the emitters get. Arrays are in catalogue order (stable). */
export interface Ir {
  readonly envelope: SchemaDoc;
  /** Every payload schema, sorted by file name. */
  readonly payloads: readonly SchemaDoc[];
  readonly fields: readonly FieldIr[];
  readonly eventTypes: readonly EventTypeIr[];
  readonly phases: readonly PhaseIr[];
  readonly errorCodes: readonly ErrorCodeIr[];
  readonly subjects: {
    readonly defaultPrefix: string;
    readonly inboxPrefix: string;
    readonly templates: readonly SubjectIr[];
    readonly tokens: readonly TokenRuleIr[];
  };
  readonly metadata: {
    readonly reservedPrefix: string;
    readonly keys: readonly MetadataKeyIr[];
  };
  /** The typed schema model of the envelope and payload documents (node ids `file#pointer`). */
  readonly schemas: SchemaModel;
  /** The ACP <-> A2A mapping and feature list (schema/a2a/), when that folder exists. */
  readonly a2a?: A2aIr;
}

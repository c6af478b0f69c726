/**
 * JSON Schemas of the catalogue files themselves, so a malformed catalogue is reported
 * with its file and pointer before any emitter runs.
 */
import type { JsonSchema } from "./types.js";

const str = { type: "string", minLength: 1 } as const;

export const phasesCatalogSchema: JsonSchema = {
  type: "object",
  required: ["phases"],
  properties: {
    phases: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "terminal", "a2a_task_state", "a2a_v03_state", "description"],
        properties: {
          name: { type: "string", pattern: "^[a-z][a-z_]*$" },
          terminal: { type: "boolean" },
          a2a_task_state: str,
          a2a_v03_state: str,
          description: str,
        },
      },
    },
  },
};

export const eventTypesCatalogSchema: JsonSchema = {
  type: "object",
  required: ["event_types"],
  properties: {
    event_types: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "const", "frame_type", "terminal", "payload_schema", "allowed_phases", "extension", "description"],
        properties: {
          name: { type: "string", pattern: "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$" },
          const: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$" },
          frame_type: { type: ["string", "null"] },
          terminal: { type: "boolean" },
          payload_schema: { type: "string", pattern: "^payloads/[a-z0-9-]+\\.schema\\.json$" },
          allowed_phases: { type: "array", minItems: 1, items: str, uniqueItems: true },
          extension: { type: "boolean" },
          description: str,
        },
      },
    },
  },
};

export const errorCodesCatalogSchema: JsonSchema = {
  type: "object",
  required: ["error_codes"],
  properties: {
    error_codes: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["code", "retryable", "http_status", "a2a_jsonrpc_code", "extension", "description"],
        properties: {
          code: { type: "string", pattern: "^[A-Z][A-Z0-9_]*$" },
          retryable: { type: "boolean" },
          http_status: { type: "integer", minimum: 100, maximum: 599 },
          a2a_jsonrpc_code: { type: "integer" },
          extension: { type: "boolean" },
          description: str,
        },
      },
    },
  },
};

export const subjectsCatalogSchema: JsonSchema = {
  type: "object",
  required: ["default_prefix", "inbox_prefix", "subjects", "tokens"],
  properties: {
    default_prefix: str,
    inbox_prefix: str,
    subjects: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "template", "description"],
        properties: { name: { type: "string", pattern: "^[a-z][a-z_]*$" }, template: str, description: str },
      },
    },
    tokens: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["pattern", "description"],
        properties: { pattern: str, description: str },
      },
    },
  },
};

export const metadataKeysCatalogSchema: JsonSchema = {
  type: "object",
  required: ["reserved_prefix", "keys"],
  properties: {
    reserved_prefix: str,
    keys: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["key", "type", "writer", "description"],
        properties: { key: str, type: str, writer: str, description: str },
      },
    },
  },
};

/**
 * Schema checks against the normative A2A 1.0 proto (lf.a2a.v1, the official SDK's descriptor):
 * a JSON answer must parse strictly as its message (no unknown fields, right types, RFC 3339
 * timestamps) and set every field the proto marks REQUIRED (google.api.field_behavior); a
 * REQUIRED list must not be empty. This is what the TCK's JSON Schema validation asks.
 */
import type { DescMessage } from "@bufbuild/protobuf";
import { A2A_GRPC_DESCRIPTOR } from "../../../../generated/a2a/grpc-descriptor.js";
import { loadA2aProto, normalizeProtoJson, type A2aProto } from "../../../../runtime/a2a/proto.js";
import type { Obj } from "./types.js";

export interface ProtoChecker {
  /**
   * Problems of `json` as message `type` (short name, e.g. "SendMessageResponse"); [] when valid.
   * `decoded`: the value came from proto3 binary (gRPC), where a REQUIRED scalar holding its
   * default value is indistinguishable from an absent one, so only REQUIRED messages and lists count.
   */
  check(type: string, json: unknown, decoded?: boolean): string[];
  /** The message descriptor of a short name. */
  message(type: string): DescMessage;
}

/** Full names of the fields marked REQUIRED, e.g. "lf.a2a.v1.Task.id". */
function requiredFields(): Set<string> {
  const out = new Set<string>();
  const visit = (prefix: string, m: Obj): void => {
    const full = `${prefix}.${m["name"]}`;
    for (const f of (m["field"] ?? []) as Obj[]) {
      const behavior = f["options"]?.["[google.api.field_behavior]"];
      if (Array.isArray(behavior) && behavior.includes("REQUIRED")) out.add(`${full}.${f["name"]}`);
    }
    for (const n of (m["nestedType"] ?? []) as Obj[]) visit(full, n);
  };
  for (const file of A2A_GRPC_DESCRIPTOR?.file ?? []) {
    for (const m of ((file as Obj)["messageType"] ?? []) as Obj[]) visit(String((file as Obj)["package"]), m);
  }
  return out;
}

/** A checker over the lf.a2a.v1 descriptor. */
export function protoChecker(proto: A2aProto = loadA2aProto()): ProtoChecker {
  const required = requiredFields();
  const message = (type: string): DescMessage => {
    const d = proto.message(type.includes(".") ? type : `lf.a2a.v1.${type}`);
    if (d === undefined) throw new Error(`lf.a2a.v1 has no message ${type}`);
    return d;
  };
  const walk = (desc: DescMessage, json: unknown, path: string, out: string[], decoded: boolean): void => {
    if (typeof json !== "object" || json === null || Array.isArray(json)) return;
    if (desc.typeName.startsWith("google.protobuf.")) return;
    const o = json as Obj;
    for (const f of desc.fields) {
      const v = o[f.jsonName] ?? o[f.name];
      const at = `${path}.${f.jsonName}`;
      if (required.has(`${desc.typeName}.${f.name}`) && !(decoded && f.fieldKind === "scalar")) {
        // REQUIRED = present (ProtoJSON); a REQUIRED list must also hold at least one element.
        const absent = v === undefined || v === null || (Array.isArray(v) && v.length === 0);
        if (absent) out.push(`${at} is REQUIRED but ${v === undefined ? "missing" : "empty"}`);
      }
      if (v === undefined || v === null) continue;
      if (f.fieldKind === "message") walk(f.message, v, at, out, decoded);
      else if (f.fieldKind === "list" && f.listKind === "message" && Array.isArray(v)) {
        for (const [i, e] of v.entries()) walk(f.message, e, `${at}[${i}]`, out, decoded);
      } else if (f.fieldKind === "map" && f.mapKind === "message" && typeof v === "object") {
        for (const [k, e] of Object.entries(v as Obj)) walk(f.message, e, `${at}.${k}`, out, decoded);
      }
    }
  };
  return {
    message,
    check(type, json, decoded = false) {
      const desc = message(type);
      const out: string[] = [];
      try {
        normalizeProtoJson(desc, json, false);
      } catch (err: unknown) {
        out.push(`not a valid ${desc.typeName}: ${(err as Error).message}`);
      }
      walk(desc, json, type, out, decoded);
      return out;
    },
  };
}

/**
 * The A2A 1.0 protocol definition (lf.a2a.v1) as a @bufbuild/protobuf registry, built from the
 * FileDescriptorSet the generator emits (generated/a2a/grpc-descriptor.ts, from
 * schema/a2a/a2a-v1.descriptor.json). It converts between the proto3 binary form (gRPC) and
 * ProtoJSON (JSON-RPC, HTTP+JSON) exactly as the ProtoJSON specification says: a reader accepts
 * both the lowerCamel JSON names and the original field names, well-known types keep their JSON
 * forms (Struct as an object, Timestamp as an RFC 3339 string), a writer emits lowerCamel names.
 */
import {
  createFileRegistry,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
  type DescEnum,
  type DescMessage,
  type DescMethod,
  type DescService,
  type JsonValue,
  type Registry,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { A2A_GRPC_DESCRIPTOR, A2A_GRPC_SERVICE } from "../../generated/a2a/grpc-descriptor.js";

/** The A2A service and its message types, loaded once per call site that needs them. */
export interface A2aProto {
  readonly service: DescService;
  /** A method of A2AService by its proto name (`SendMessage`, `GetTask`, …). */
  method(name: string): DescMethod | undefined;
  /** A message type by its full name (`lf.a2a.v1.Task`, `google.rpc.Status`). */
  message(typeName: string): DescMessage | undefined;
  /** Every type of the descriptor (resolves `google.protobuf.Any` type URLs in ProtoJSON). */
  readonly registry: Registry;
}

/** Loads the A2A service from the generated descriptor (throws when the generator emitted none). */
export function loadA2aProto(): A2aProto {
  if (A2A_GRPC_DESCRIPTOR === undefined) throw new Error("generated/a2a/grpc-descriptor.ts has no descriptor: schema/a2a/a2a-v1.descriptor.json is missing");
  // The options' custom extensions (google.api.http, field_behavior) are not needed on the wire.
  const fds = fromJson(FileDescriptorSetSchema, A2A_GRPC_DESCRIPTOR as unknown as JsonValue, { ignoreUnknownFields: true });
  const registry = createFileRegistry(fds);
  const service = registry.getService(A2A_GRPC_SERVICE);
  if (service === undefined) throw new Error(`the A2A descriptor does not define ${A2A_GRPC_SERVICE}`);
  const methods = new Map(service.methods.map((m) => [m.name, m]));
  return { service, method: (name) => methods.get(name), message: (typeName) => registry.getMessage(typeName), registry };
}

/** ProtoJSON -> proto3 binary; throws (with the field the reader stopped at) on invalid input. */
export function protoJsonToBinary(desc: DescMessage, json: unknown, ignoreUnknownFields = false): Uint8Array {
  return toBinary(desc, fromJson(desc, json as JsonValue, { ignoreUnknownFields }));
}

/** proto3 binary -> ProtoJSON (lowerCamel names, enums by name, unset fields left out). */
export function binaryToProtoJson(desc: DescMessage, bytes: Uint8Array): JsonValue {
  return toJson(desc, fromBinary(desc, bytes));
}

type JsonObject = { [key: string]: JsonValue };
const isJsonObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Refuses an enum value `e` does not define (a name it lacks), naming the field and the names allowed. */
function checkEnumValue(e: DescEnum, v: unknown, path: string): void {
  if (v === null || typeof v === "number" || (typeof v === "string" && e.values.some((x) => x.name === v))) return;
  throw new Error(`${path} must be one of ${e.values.map((x) => x.name).join(", ")}; got ${JSON.stringify(v)}`);
}

/**
 * A copy of `json` without the keys `desc` (and the messages it holds) does not define. Enum
 * values are checked here (an unknown name is an Error naming the field, never dropped); other
 * values are left for the reader. Values of google.protobuf.* types (Struct, Value, Timestamp,
 * …) keep their JSON forms untouched.
 */
function withoutUnknownFields(desc: DescMessage, json: unknown, path: string): unknown {
  if (!isJsonObject(json) || desc.typeName.startsWith("google.protobuf.")) return json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const f = desc.fields.find((x) => x.jsonName === key || x.name === key);
    if (f === undefined) continue;
    const p = `${path}.${f.jsonName}`;
    let v: unknown = value;
    if (f.fieldKind === "enum") checkEnumValue(f.enum, value, p);
    else if (f.fieldKind === "list" && Array.isArray(value)) {
      if (f.listKind === "enum") for (const [i, x] of value.entries()) checkEnumValue(f.enum, x, `${p}[${i}]`);
      if (f.listKind === "message") v = value.map((x, i) => withoutUnknownFields(f.message, x, `${p}[${i}]`));
    } else if (f.fieldKind === "map" && isJsonObject(value)) {
      if (f.mapKind === "enum") for (const [k, x] of Object.entries(value)) checkEnumValue(f.enum, x, `${p}[${JSON.stringify(k)}]`);
      if (f.mapKind === "message")
        v = Object.fromEntries(Object.entries(value).map(([k, x]) => [k, withoutUnknownFields(f.message, x, `${p}[${JSON.stringify(k)}]`)]));
    } else if (f.fieldKind === "message") v = withoutUnknownFields(f.message, value, p);
    out[key] = v as JsonValue; // key is a field name of desc (never "__proto__")
  }
  return out;
}

/**
 * ProtoJSON -> the same message in canonical ProtoJSON: original field names become lowerCamel,
 * unknown fields are dropped (or refused), values are checked against their types (a timestamp
 * must be RFC 3339, an enum name one the enum defines: an unknown name is refused, never dropped
 * as if the field were absent). Throws an Error saying which field when the input is not the
 * message.
 */
export function normalizeProtoJson(desc: DescMessage, json: unknown, ignoreUnknownFields = true): JsonValue {
  // @bufbuild's ignoreUnknownFields also drops unrecognized enum values, which would turn a filter
  // such as ListTasks status "bogus" into no filter: unknown fields are dropped here instead.
  const input = ignoreUnknownFields ? withoutUnknownFields(desc, json, desc.name) : json;
  return toJson(desc, fromJson(desc, input as JsonValue, { ignoreUnknownFields: false }));
}

/** A google.rpc.Status in ProtoJSON: `details` are Any values (`{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain }`). */
export interface RpcStatusJson {
  code: number;
  message: string;
  details?: ({ "@type": string } & Record<string, JsonValue>)[];
}

/** A google.rpc.Status (the `grpc-status-details-bin` trailer of a gRPC error) as proto3 binary. */
export function rpcStatusToBinary(proto: A2aProto, status: RpcStatusJson): Uint8Array {
  const desc = rpcStatusDesc(proto);
  return toBinary(desc, fromJson(desc, status as unknown as JsonValue, { registry: proto.registry }));
}

/** A google.rpc.Status from proto3 binary (details whose type the descriptor lacks are refused). */
export function binaryToRpcStatus(proto: A2aProto, bytes: Uint8Array): RpcStatusJson {
  const desc = rpcStatusDesc(proto);
  const json = toJson(desc, fromBinary(desc, bytes), { registry: proto.registry }) as Partial<RpcStatusJson>;
  return { code: json.code ?? 0, message: json.message ?? "", ...(json.details === undefined ? {} : { details: json.details }) };
}

function rpcStatusDesc(proto: A2aProto): DescMessage {
  const desc = proto.message("google.rpc.Status");
  if (desc === undefined)
    throw new Error("the A2A descriptor lacks google.rpc.Status: regenerate schema/a2a/a2a-v1.descriptor.json with scripts/a2a-descriptor.sh");
  return desc;
}

/**
 * The A2A 1.0 gRPC service (lf.a2a.v1.A2AService) as a @grpc/grpc-js service definition whose
 * messages are ProtoJSON values: the (de)serializers convert between proto3 binary and
 * ProtoJSON with the registry of proto.ts, so a gRPC binding hands the protocol-neutral handler
 * the same params the JSON-RPC and HTTP+JSON bindings do.
 */
import { createRequire } from "node:module";
import type * as Grpc from "@grpc/grpc-js";
import type { JsonValue } from "@bufbuild/protobuf";
import { A2A_GRPC_SERVICE } from "../../generated/a2a/grpc-descriptor.js";
import { binaryToProtoJson, loadA2aProto, protoJsonToBinary } from "./proto.js";

const require = createRequire(import.meta.url);

/** What {@link loadA2aGrpc} answers. */
export interface A2aGrpcDefinition {
  /** The service's methods (for `server.addService`), keyed by proto method name. */
  readonly service: Grpc.ServiceDefinition;
  /** A client constructor: `new Client(address, credentials)`; methods by proto name. */
  readonly Client: Grpc.ServiceClientConstructor;
  /** The grpc-js module the definition was made with (one copy for server, client and credentials). */
  readonly grpc: typeof Grpc;
}

/**
 * Loads the A2A gRPC service. @grpc/grpc-js is an optional peer dependency: without it this
 * throws an Error naming the `npm install` to run.
 */
export function loadA2aGrpc(): A2aGrpcDefinition {
  let grpc: typeof Grpc;
  try {
    grpc = require("@grpc/grpc-js") as typeof Grpc;
  } catch (err: unknown) {
    throw new Error("the A2A gRPC binding needs @grpc/grpc-js: npm install @grpc/grpc-js@^1.14.7", { cause: err });
  }
  const proto = loadA2aProto();
  const methods: Record<string, Grpc.MethodDefinition<JsonValue, JsonValue>> = {};
  for (const m of proto.service.methods) {
    methods[m.name] = {
      path: `/${A2A_GRPC_SERVICE}/${m.name}`,
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: (value: JsonValue) => Buffer.from(protoJsonToBinary(m.input, value)),
      requestDeserialize: (bytes: Buffer) => binaryToProtoJson(m.input, bytes),
      // A server writes what the proto can carry: fields it does not define are dropped, undefined ones left out.
      responseSerialize: (value: JsonValue) => Buffer.from(protoJsonToBinary(m.output, withoutUndefined(value), true)),
      responseDeserialize: (bytes: Buffer) => binaryToProtoJson(m.output, bytes),
      originalName: m.localName,
    };
  }
  const service: Grpc.ServiceDefinition = methods;
  const Client = grpc.makeGenericClientConstructor(service, "A2AService");
  return { service, Client, grpc };
}

/** `value` without the undefined properties an object literal may carry (ProtoJSON has no undefined). */
function withoutUndefined(value: JsonValue): JsonValue {
  return value === undefined || value === null ? {} : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

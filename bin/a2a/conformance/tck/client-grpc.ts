/**
 * The gRPC binding's client for the TCK checks: @grpc/grpc-js with the lf.a2a.v1 service of
 * runtime/a2a/grpc-proto.ts (requests and answers as ProtoJSON), service parameters and
 * credentials as metadata, the google.rpc.ErrorInfo read from grpc-status-details-bin.
 */
import type * as Grpc from "@grpc/grpc-js";
import type { JsonValue } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { loadA2aGrpc } from "../../../../runtime/a2a/grpc-proto.js";
import { eventQueue, type A2aMethod, type BindingClient, type CallError, type CallOptions, type CallResult, type Obj, type StreamCall } from "./types.js";

/** The ErrorInfo (reason, domain) inside a binary google.rpc.Status, if any. */
export function errorInfoFromStatus(bin: Uint8Array): { reason?: string; domain?: string } {
  const fields = (bytes: Uint8Array, visit: (no: number, r: BinaryReader, wt: WireType) => boolean): void => {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [no, wt] = r.tag();
      if (!visit(no, r, wt)) r.skip(wt, no);
    }
  };
  let out: { reason?: string; domain?: string } = {};
  fields(bin, (no, r, wt) => {
    if (no !== 3 || wt !== WireType.LengthDelimited) return false;
    let typeUrl = "";
    let value: Uint8Array = new Uint8Array();
    fields(r.bytes(), (n, ar, awt) => {
      if (awt !== WireType.LengthDelimited) return false;
      if (n === 1) typeUrl = ar.string();
      else if (n === 2) value = ar.bytes();
      else return false;
      return true;
    });
    if (typeUrl.endsWith("google.rpc.ErrorInfo") && out.reason === undefined) {
      const info: { reason?: string; domain?: string } = {};
      fields(value, (n, er, ewt) => {
        if (ewt !== WireType.LengthDelimited || (n !== 1 && n !== 2)) return false;
        if (n === 1) info.reason = er.string();
        else info.domain = er.string();
        return true;
      });
      out = info;
    }
    return true;
  });
  return out;
}

/** Host:port of a gRPC interface URL (`grpc://h:p`, `http://h:p`, `h:p`). */
export function grpcAddress(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
}

/** A gRPC client of `url`, sending `auth` headers as metadata on every call. */
export function grpcClient(url: string, auth: Readonly<Record<string, string>> = {}): BindingClient {
  const { Client, grpc } = loadA2aGrpc();
  const address = grpcAddress(url);
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as Record<string, (...a: unknown[]) => unknown> & Grpc.Client;
  const statusName = (code: number): string => (grpc.status as unknown as Record<number, string>)[code] ?? String(code);
  const metadata = (o: CallOptions): Grpc.Metadata => {
    const m = new grpc.Metadata();
    const all = { "a2a-version": "1.0", ...(o.anonymous ? {} : lower(auth)), ...lower(o.headers ?? {}) };
    for (const [k, v] of Object.entries(all)) m.set(k, v);
    return m;
  };
  const toError = (err: Grpc.ServiceError): CallError => {
    const bin = err.metadata?.get("grpc-status-details-bin")[0];
    const info = bin instanceof Buffer ? errorInfoFromStatus(bin) : {};
    return { code: statusName(err.code), message: err.details ?? err.message, ...info };
  };
  return {
    binding: "GRPC",
    url: address,
    call(method: A2aMethod, params: Obj, o: CallOptions = {}): Promise<CallResult> {
      return new Promise((resolve) => {
        const fn = client[method];
        if (typeof fn !== "function") {
          resolve({ ok: false, error: { code: "UNIMPLEMENTED", message: `no method ${method}` } });
          return;
        }
        fn.call(client, params as JsonValue, metadata(o), { deadline: Date.now() + 30_000 }, (err: Grpc.ServiceError | null, value: JsonValue) => {
          if (err) resolve({ ok: false, error: toError(err) });
          else resolve({ ok: true, value: (value ?? {}) as Obj });
        });
      });
    },
    async stream(method, params, o: CallOptions = {}): Promise<StreamCall> {
      const q = eventQueue();
      const fn = client[method];
      if (typeof fn !== "function") throw new Error(`no method ${method}`);
      const call = fn.call(client, params as JsonValue, metadata(o)) as Grpc.ClientReadableStream<JsonValue>;
      let cancelled = false;
      call.on("data", (v: JsonValue) => q.push(v as Obj));
      call.on("error", (err: Grpc.ServiceError) => q.end(cancelled ? undefined : toError(err)));
      call.on("end", () => q.end());
      // An error answered before any event (e.g. NOT_FOUND) is known once the first read settles.
      return {
        get error() {
          return q.error;
        },
        envelopes: [],
        next: (t) => q.next(t),
        close: async () => {
          cancelled = true;
          call.cancel();
          q.end();
        },
      };
    },
    close: async () => {
      client.close();
    },
  };
}

function lower(h: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * `oaio serve --http [host:]port`: starts the HTTP/SSE gateway on the serve runtime, with its
 * own bus, closed when serve stops, and adds curl examples to the printed hints.
 */
import type { Gateway } from "../../runtime/gateway/index.js";
import type { ServeRuntime } from "./serve.js";
import { UsageError } from "./invoke.js";
import { GATEWAY_PACKAGES, loadOptional } from "./usage.js";

/** Parses `8080`, `:8080` or `0.0.0.0:8080` (port 0 picks a free one). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(text.trim());
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535)) throw new UsageError(`--http must be a port or host:port, got ${text}`);
  const host = m[1] === undefined || m[1] === "" ? "127.0.0.1" : m[1].replace(/^\[(.*)\]$/, "$1");
  return { host, port };
}

/**
 * Starts the gateway on `runtime`; returns it (it closes with the runtime). The gateway code is
 * imported here: its optional peers (fastify, jose) are needed only with --http.
 */
export async function attachGateway(runtime: ServeRuntime, listen: string): Promise<Gateway> {
  const { host, port } = parseListen(listen);
  const { startGateway } = await loadOptional(GATEWAY_PACKAGES, () => import("../../runtime/gateway/index.js"), "--http");
  const gateway = await startGateway({ bus: runtime.bus("gateway"), host, port });
  runtime.onClose(() => gateway.close());
  const u = gateway.url;
  const tenant = runtime.tenant === undefined ? "" : ` -H 'X-Tenant-Id: ${runtime.tenant}'`;
  runtime.hints.push(
    `HTTP/SSE gateway on ${u}:`,
    `  curl -s ${u}/v1/agents/echo/invoke -H 'content-type: application/json'${tenant} -d '{"hello":"world"}'`,
    `  curl -sN ${u}/v1/agents/writer/stream -H 'content-type: application/json'${tenant} -d '{"text":"one two three"}'`,
    `  curl -s ${u}/v1/events/demo.greeting -H 'content-type: application/json'${tenant} -d '{"hi":1}'`,
    `  ${runtime.cli} http stream writer '{"text":"one two three"}' --url ${u}${runtime.tenant === undefined ? "" : ` --tenant ${runtime.tenant}`}`,
  );
  return gateway;
}

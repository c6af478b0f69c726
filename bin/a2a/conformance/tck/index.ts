/**
 * The official A2A TCK's requirements as checks (bin/a2a/conformance/tck): run them against
 * any live A2A agent with {@link runTck}, or against the conformance env's main server with
 * {@link tckOptionsForEnv} (its credentials, a second tenant's principal, its webhook receiver).
 */
import type { ConformanceEnv } from "../env.js";
import type { TckRunOptions } from "./run.js";

export { onLoopback, runTck, servedBindings, TCK_CHECKS, type TckResult, type TckRun, type TckRunOptions, type TckStatus } from "./run.js";
export { mustFailed, renderTckText, summarize, tckScore, type TckScore, type TckSummary } from "./report.js";
export { loadTckRequirements, TCK_REQUIREMENTS_FILE, type TckRequirement, type TckRequirements } from "./requirements.js";
export type { Binding, Scope } from "./types.js";

/** Run options for the env's main server (every binding its card declares). */
export async function tckOptionsForEnv(env: ConformanceEnv): Promise<TckRunOptions> {
  return {
    url: env.url,
    headers: env.authHeaders,
    otherHeaders: { authorization: `Bearer ${await env.token("intruder", "other-tenant")}` },
    // The main server delivers webhooks to 127.0.0.1 only (its SSRF guard), so stored configs point at the receiver too.
    pushUrl: `${env.receiver.url}/tck-stored`,
    receiver: env.receiver,
  };
}

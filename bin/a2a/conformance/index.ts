/**
 * The A2A conformance kit: every check the scorecard reports, runnable against the live
 * setup of {@link startConformanceEnv}. test/a2a/conformance.test.ts runs each as a test
 * named after its id; `oaio scorecard` runs them all and writes generated/scorecard/.
 */
import { bindingChecks } from "./checks-bindings.js";
import { coreChecks, type Check } from "./checks-core.js";
import { edgeChecks } from "./checks-edge.js";
import { securityChecks } from "./checks-security.js";
import { turnChecks } from "./checks-turns.js";
import type { ConformanceEnv } from "./env.js";

export { startConformanceEnv, type ConformanceEnv } from "./env.js";
export { DEMO_TOOL_CALL, serveDemoAgent, type DemoAgent } from "./demo-agent.js";
export { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from "./receiver.js";
export type { Check } from "./checks-core.js";

/** Every check, in run order. */
export const CHECKS: readonly Check[] = [...coreChecks, ...turnChecks, ...edgeChecks, ...securityChecks, ...bindingChecks];

export interface CheckResult {
  readonly id: string;
  readonly status: "pass" | "fail";
  /** Why it failed (first line of the error). */
  readonly error?: string;
}

/** Runs `ids` (default: all) one after the other; a failing check does not stop the others. */
export async function runChecks(env: ConformanceEnv, ids?: readonly string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of CHECKS) {
    if (ids !== undefined && !ids.includes(check.id)) continue;
    try {
      await check.run(env);
      out.push({ id: check.id, status: "pass" });
    } catch (err: unknown) {
      out.push({ id: check.id, status: "fail", error: (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "" });
    }
  }
  return out;
}

/**
 * The official A2A TCK's requirement ids against our server: bin/a2a/conformance/tck runs once
 * against the conformance env's main server (every binding its card declares; the others are
 * "not served"), then each requirement and binding is a test named by its id. A failing id must
 * be in KNOWN_FAILURES with its cause, and KNOWN_FAILURES must be exactly the failing set.
 * CORE-CAP-001..003 need an agent without those capabilities: they run against the env's
 * alternate server (streaming, push and extended card off).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConformanceEnv, type ConformanceEnv } from "../../bin/a2a/conformance/index.js";
import { loadTckRequirements, runTck, tckOptionsForEnv, type TckResult, type TckRun } from "../../bin/a2a/conformance/tck/index.js";
import { KNOWN_FAILURES } from "./tck-known-failures.js";

let env: ConformanceEnv;
let run: TckRun;
let alt: TckRun;
const CAP_IDS = ["CORE-CAP-001", "CORE-CAP-002", "CORE-CAP-003"];

beforeAll(async () => {
  env = await startConformanceEnv();
  run = await runTck(await tckOptionsForEnv(env));
  alt = await runTck({ url: env.altUrl, ids: CAP_IDS, receiver: null });
}, 600_000);
afterAll(async () => {
  await env.close();
});

const keyOf = (r: TckResult): string => `${r.id} [${r.scope}]`;
const failing = (rs: readonly TckResult[]): string[] => rs.filter((r) => r.status === "fail" || r.status === "blocked").map(keyOf);

describe("official A2A TCK requirements against our server", () => {
  const reqs = loadTckRequirements().requirements;

  it("serves JSON-RPC and measures every requirement on every binding its card declares", () => {
    expect(run.served.JSONRPC).toBe(new URL("/", env.url).href);
    const measured = new Set(run.results.map(keyOf));
    for (const q of reqs) for (const s of q.bindings) expect(measured.has(`${q.id} [${s}]`), `${q.id} [${s}]`).toBe(true);
  });

  it("KNOWN_FAILURES is exactly the set of failing requirements", () => {
    expect(failing(run.results).sort()).toEqual(Object.keys(KNOWN_FAILURES).sort());
  });

  it("CORE-CAP-001..003 pass on the server without those capabilities", () => {
    const served = alt.results.filter((r) => r.status !== "not-served");
    expect(served.filter((r) => r.scope === "JSONRPC").map(keyOf)).toEqual(CAP_IDS.map((id) => `${id} [JSONRPC]`));
    expect(served.filter((r) => r.status !== "pass").map((r) => `${keyOf(r)}: ${r.detail}`)).toEqual([]);
  });

  for (const q of reqs) {
    for (const scope of q.bindings) {
      const key = `${q.id} [${scope}]`;
      it(key, (ctx) => {
        const r = run.results.find((x) => keyOf(x) === key);
        expect(r, `${key} was not measured`).toBeDefined();
        if (r === undefined) return;
        if (r.status === "not-served" || r.status === "not-applicable" || r.status === "manual") {
          ctx.skip(`${r.status}: ${r.detail ?? ""}`);
          return;
        }
        if (KNOWN_FAILURES[key] !== undefined) {
          expect(r.status, `${key} passes now: remove it from test/a2a/tck-known-failures.ts`).not.toBe("pass");
        } else {
          expect(r.status, `${key}: ${r.detail}`).toBe("pass");
        }
      });
    }
  }
});

/**
 * One error for programmer mistakes (issue 11, spec/errors.md "Programmer mistakes"): a bad
 * option or argument anywhere outside the bus throws the InvalidRequestError that
 * `invalidArgument(api, field, value, expected)` builds, with those four in `details` and a
 * message naming them. Before, middleware threw RangeError, canonicalize TypeError, the gateway
 * client a plain Error, and the A2A stores and the stream layout INVALID_REQUEST errors of their
 * own shape.
 */
import { describe, expect, it } from "vitest";
import { canonicalize, createBus, createMemoryTransport, createReassembler, InvalidRequestError } from "../../runtime/index.js";
import { circuitBreaker, exponentialBackoff, fixedBackoff, rateLimit, retry, timeout } from "../../runtime/middleware/index.js";
import { A2aBridge, createMemoryPushConfigStore, createMemoryTaskStore, createPushDelivery } from "../../runtime/a2a/index.js";
import { createJwtVerifier } from "../../runtime/gateway/index.js";
import { streamLayout } from "../../runtime/jetstream/index.js";

const cyclic: Record<string, unknown> = {};
cyclic["self"] = cyclic;

/** [what, call, api, field]: each call must throw the invalid-argument error for that api and field. */
const CASES: readonly [string, () => unknown, string, string][] = [
  ["timeout ms 0", () => timeout({ ms: 0 }), "timeout", "ms"],
  ["retry maxAttempts 0", () => retry({ maxAttempts: 0 }), "retry", "maxAttempts"],
  ["fixedBackoff -1", () => fixedBackoff(-1), "fixedBackoff", "ms"],
  ["exponentialBackoff factor 0.5", () => exponentialBackoff({ factor: 0.5 }), "exponentialBackoff", "factor"],
  ["circuitBreaker failureThreshold 0", () => circuitBreaker({ failureThreshold: 0 }), "circuitBreaker", "failureThreshold"],
  ["circuitBreaker minTimeoutMs -1", () => circuitBreaker({ minTimeoutMs: -1 }), "circuitBreaker", "minTimeoutMs"],
  ["rateLimit rate 0", () => rateLimit({ perTenant: { rate: 0 } }), "rateLimit", "perTenant.rate"],
  ["canonicalize NaN", () => canonicalize({ a: Number.NaN }), "canonicalize", 'the value at "/a"'],
  ["canonicalize a cycle", () => canonicalize(cyclic), "canonicalize", 'the value at "/self"'],
  ["canonicalize a Date", () => canonicalize([new Date(0)]), "canonicalize", 'the value at "/0"'],
  ["memory task store maxTasks 0", () => createMemoryTaskStore({ maxTasks: 0 }), "createMemoryTaskStore", "maxTasks"],
  [
    "memory push store maxConfigsPerTask 1.5",
    () => createMemoryPushConfigStore({ maxConfigsPerTask: 1.5 }),
    "createMemoryPushConfigStore",
    "maxConfigsPerTask",
  ],
  ["stream layout storage", () => streamLayout({ storage: "disk" as "file" }), "streamLayout", "storage"],
  ["reassembler maxGap 0", () => createReassembler({ maxGap: 0 }), "createReassembler", "maxGap"],
  ["reassembler maxPendingBytes 0", () => createReassembler({ maxPendingBytes: 0 }), "createReassembler", "maxPendingBytes"],
  ["push delivery maxAttempts 0", () => createPushDelivery({ store: createMemoryPushConfigStore(), maxAttempts: 0 }), "createPushDelivery", "maxAttempts"],
  ["push delivery timeoutMs NaN", () => createPushDelivery({ store: createMemoryPushConfigStore(), timeoutMs: Number.NaN }), "createPushDelivery", "timeoutMs"],
  ["JWT verifier with a short secret", () => createJwtVerifier({ secret: "x".repeat(31) }), "createJwtVerifier", "secret"],
  ["JWT verifier without a key", () => createJwtVerifier({} as never), "createJwtVerifier", "secret / publicKey / jwks / jwksUrl"],
];

describe("a bad option throws the invalid-argument error", () => {
  it.each(CASES)("%s", (_what, call, api, field) => {
    let thrown: unknown;
    try {
      call();
    } catch (err: unknown) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    const err = thrown as InvalidRequestError;
    expect(err.code).toBe("INVALID_REQUEST");
    expect(err.details).toMatchObject({ api, field });
    expect(typeof (err.details as { expected?: unknown }).expected).toBe("string");
    expect(err.message.startsWith(`${api}: ${field} must be `)).toBe(true);
  });

  it("the A2A bridge: no auth, and an extended card without auth", async () => {
    const transport = createMemoryTransport();
    const bus = createBus({ agentId: "bridge", transport });
    const card = { name: "e", description: "d", version: "1" };
    try {
      for (const [opts, field] of [
        [{}, "auth"],
        [{ auth: "none" as const, extendedCard: {} }, "extendedCard"],
      ] as const) {
        let thrown: unknown;
        try {
          new A2aBridge({ bus, target: "demo", card, ...opts });
        } catch (err: unknown) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(InvalidRequestError);
        expect((thrown as InvalidRequestError).details).toMatchObject({ api: "A2A server", field });
      }
    } finally {
      await bus.close();
      await transport.close();
    }
  });
});

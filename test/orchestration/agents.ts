/**
 * Agents of the orchestration tests whose timing the test controls: each call waits on a latch
 * the test opens (or on its cancel), and counts what it saw (calls, most in flight at once,
 * cancels that reached it). No sleeps: order comes from the latches.
 */
import type { Bus, Subscription } from "../../runtime/bus/index.js";

/** A latch: `open()` releases every waiter, now and later. */
export interface Latch {
  readonly opened: boolean;
  wait(): Promise<void>;
  open(): void;
}

export function latch(): Latch {
  let release!: () => void;
  const p = new Promise<void>((r) => (release = r));
  let opened = false;
  return {
    get opened() {
      return opened;
    },
    wait: () => p,
    open() {
      opened = true;
      release();
    },
  };
}

/** What the agents of one test saw. */
export interface Seen {
  calls: number;
  inFlight: number;
  maxInFlight: number;
  /** Handlers whose signal fired (a stream cancel reached them). */
  cancels: number;
  /** Handlers that ran to their end. */
  ended: number;
}

export function seen(): Seen {
  return { calls: 0, inFlight: 0, maxInFlight: 0, cancels: 0, ended: 0 };
}

/**
 * Registers on `bus`:
 * - `<prefix>-ok` (invoke): answers `{ from: "<prefix>-ok", n }` once `gate` is open;
 * - `<prefix>-fail` (invoke): throws PERMISSION_DENIED once `gate` is open;
 * - `<prefix>-block` (stream): writes `started`, then waits for its cancel (or `gate`, then answers);
 * - `<prefix>-hold` (invoke): waits for `gate` and answers `{ held: true }` (its cancel cannot reach it).
 * Every handler counts in `s`.
 */
export function registerAgents(bus: Bus, prefix: string, s: Seen, gate: Latch): Subscription[] {
  const enter = (): void => {
    s.calls++;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
  };
  const leave = (): void => {
    s.inFlight--;
    s.ended++;
  };
  return [
    bus.handleInvoke<{ n?: number }>(`${prefix}-ok`, async (req) => {
      enter();
      try {
        await gate.wait();
        return { from: `${prefix}-ok`, n: req?.n ?? 0 };
      } finally {
        leave();
      }
    }),
    bus.handleInvoke(`${prefix}-fail`, async () => {
      enter();
      try {
        await gate.wait();
        const { PermissionDeniedError } = await import("../../runtime/errors.js");
        throw new PermissionDeniedError(`${prefix}-fail refuses`);
      } finally {
        leave();
      }
    }),
    bus.handleStream(`${prefix}-block`, async (_req, w) => {
      enter();
      try {
        await w.started();
        const canceled = new Promise<"canceled">((resolve) => w.signal.addEventListener("abort", () => resolve("canceled"), { once: true }));
        const how = await Promise.race([canceled, gate.wait().then(() => "released" as const)]);
        if (how === "canceled") s.cancels++;
        else await w.final({ from: `${prefix}-block` });
      } finally {
        leave();
      }
    }),
    bus.handleInvoke(`${prefix}-hold`, async () => {
      enter();
      try {
        await gate.wait();
        return { held: true };
      } finally {
        leave();
      }
    }),
  ];
}

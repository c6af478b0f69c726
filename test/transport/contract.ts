/**
 * The transport contract: one suite every Transport implementation passes
 * (test/transport/memory.test.ts, test/transport/nats.test.ts). See spec/transports.md.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  isTransportError,
  subjectProblem,
  type MessageBody,
  type Transport,
  type TransportMessage,
  type TransportStatus,
} from "../../runtime/transport/index.js";
import { turn, waitFor } from "./wait.js";

export type TransportFactory = () => Promise<Transport>;

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (s: string): Uint8Array => enc.encode(s);
const str = (m: TransportMessage): string => dec.decode(m.data);

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
const readU32 = (m: TransportMessage): number => new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength).getUint32(0);

/** Collects what a subscription receives. */
function sink(): { msgs: TransportMessage[]; handler: (m: TransportMessage) => void } {
  const msgs: TransportMessage[] = [];
  return { msgs, handler: (m) => msgs.push(m) };
}

function expectTransportError(fn: () => unknown, code: string, subject?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isTransportError(caught), `expected a TransportError, got ${String(caught)}`).toBe(true);
  if (!isTransportError(caught)) return;
  expect(caught.code).toBe(code);
  if (subject !== undefined) {
    expect(caught.message).toContain(JSON.stringify(subject));
    expect(caught.subject).toBe(subject);
  }
}

export function runTransportContract(name: string, factory: TransportFactory): void {
  describe(`transport contract: ${name}`, () => {
    const open: Transport[] = [];
    let seq = 0;
    /** A subject prefix no other test uses (tests may share one server). */
    const prefix = (): string => `ct${seq++}x${randomBytes(4).toString("hex")}`;
    const create = async (): Promise<Transport> => {
      const t = await factory();
      open.push(t);
      return t;
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });

    it("delivers to an exact subject only, with data and reply intact, never inside publish", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      t.subscribe(`${p}.a.b`, {}, s.handler);
      t.publish(`${p}.a.c`, text("other"));
      t.publish(`${p}.a.b.c`, text("longer"));
      t.publish(`${p}.a`, text("shorter"));
      t.publish(`${p}.a.b`, text("hello"), { reply: `${p}.replies` });
      expect(s.msgs).toHaveLength(0);
      await waitFor("one message", () => s.msgs.length >= 1);
      await t.flush();
      t.publish(`${p}.a.b`, text("marker"));
      await waitFor("marker", () => s.msgs.length >= 2);
      expect(s.msgs.map(str)).toEqual(["hello", "marker"]);
      const first = s.msgs[0]!;
      expect(first.subject).toBe(`${p}.a.b`);
      expect(first.reply).toBe(`${p}.replies`);
      expect(first.noResponders).toBe(false);
      expect(s.msgs[1]!.reply).toBeUndefined();
    });

    it("matches `*` to exactly one token", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      t.subscribe(`${p}.*.x`, {}, s.handler);
      for (const subj of [`${p}.a.x`, `${p}.x`, `${p}.a.b.x`, `${p}.b.x`, `${p}.a.y`, `${p}.end.x`]) t.publish(subj, text(subj));
      await waitFor("three matches", () => s.msgs.length >= 3);
      await t.flush();
      await turn();
      expect(s.msgs.map((m) => m.subject)).toEqual([`${p}.a.x`, `${p}.b.x`, `${p}.end.x`]);
    });

    it("matches `>` to one or more trailing tokens", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      t.subscribe(`${p}.a.>`, {}, s.handler);
      for (const subj of [`${p}.a`, `${p}.a.b`, `${p}.b.c`, `${p}.a.b.c.d`, `${p}.a.end`]) t.publish(subj, text(subj));
      await waitFor("three matches", () => s.msgs.length >= 3);
      await t.flush();
      await turn();
      expect(s.msgs.map((m) => m.subject)).toEqual([`${p}.a.b`, `${p}.a.b.c.d`, `${p}.a.end`]);
    });

    it("fans out to every plain subscriber, exact and wildcard", async () => {
      const t = await create();
      const p = prefix();
      const subs = [sink(), sink(), sink()];
      t.subscribe(`${p}.f`, {}, subs[0]!.handler);
      t.subscribe(`${p}.f`, {}, subs[1]!.handler);
      t.subscribe(`${p}.>`, {}, subs[2]!.handler);
      for (let i = 0; i < 50; i++) t.publish(`${p}.f`, u32(i));
      await waitFor("50 each", () => subs.every((s) => s.msgs.length >= 50));
      for (const s of subs) expect(s.msgs.map(readU32)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it("gives each message to exactly one member of each queue group, spread over members", async () => {
      const t = await create();
      const p = prefix();
      const g = [sink(), sink(), sink()];
      const h = [sink(), sink()];
      const plain = sink();
      for (const s of g) t.subscribe(`${p}.work`, { queue: "g" }, s.handler);
      // A wildcard member joins the same group: groups merge across patterns, as in NATS.
      for (const s of h) t.subscribe(`${p}.*`, { queue: "h" }, s.handler);
      t.subscribe(`${p}.work`, {}, plain.handler);
      const n = 300;
      for (let i = 0; i < n; i++) t.publish(`${p}.work`, u32(i));
      const total = (ss: { msgs: TransportMessage[] }[]): number => ss.reduce((a, s) => a + s.msgs.length, 0);
      await waitFor("all messages", () => total(g) >= n && total(h) >= n && plain.msgs.length >= n);
      await t.flush();
      await turn();
      for (const group of [g, h]) {
        const ids = group.flatMap((s) => s.msgs.map(readU32)).sort((a, b) => a - b);
        expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
        for (const s of group) expect(s.msgs.length).toBeGreaterThan(0);
      }
      expect(plain.msgs).toHaveLength(n);
    });

    it("keeps publish order per subscription over 10k messages", async () => {
      const t = await create();
      const p = prefix();
      const exact = sink();
      const wild = sink();
      const queued = sink();
      t.subscribe(`${p}.seq`, {}, exact.handler);
      t.subscribe(`${p}.>`, {}, wild.handler);
      t.subscribe(`${p}.seq`, { queue: "only" }, queued.handler);
      const n = 10_000;
      for (let i = 0; i < n; i++) t.publish(`${p}.seq`, u32(i));
      await waitFor("10k each", () => exact.msgs.length >= n && wild.msgs.length >= n && queued.msgs.length >= n);
      const expected = Array.from({ length: n }, (_, i) => i);
      expect(exact.msgs.map(readU32)).toEqual(expected);
      expect(wild.msgs.map(readU32)).toEqual(expected);
      expect(queued.msgs.map(readU32)).toEqual(expected);
    });

    it("stops delivery on unsubscribe and resolves closed", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      const marker = sink();
      const sub = t.subscribe(`${p}.u`, {}, s.handler);
      t.subscribe(`${p}.marker`, {}, marker.handler);
      expect(sub.subject).toBe(`${p}.u`);
      expect(sub.queue).toBeUndefined();
      t.publish(`${p}.u`, text("1"));
      await waitFor("first", () => s.msgs.length === 1);
      sub.unsubscribe();
      sub.unsubscribe();
      await sub.closed;
      t.publish(`${p}.u`, text("2"));
      t.publish(`${p}.marker`, text("after"));
      await waitFor("marker", () => marker.msgs.length === 1);
      await t.flush();
      await turn();
      expect(s.msgs.map(str)).toEqual(["1"]);
    });

    it("publish takes a MessageBody: readers get its bytes, sealed or not (one send path for every transport)", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      t.subscribe(`${p}.body`, {}, s.handler);
      await t.flush();
      const calls = { bytes: 0, seal: 0, routed: [] as number[] };
      const body = (sealable: boolean, value: string): MessageBody => ({
        bytes: () => {
          calls.bytes++;
          return text(value);
        },
        seal: () => {
          calls.seal++;
          return sealable ? value.length : -1;
        },
        routed: (n) => void calls.routed.push(n),
      });
      t.publish(`${p}.body`, body(false, "as bytes"));
      t.publish(`${p}.body`, body(true, "sealed"));
      await waitFor("both bodies", () => s.msgs.length === 2);
      expect(s.msgs.map(str)).toEqual(["as bytes", "sealed"]);
      // a transport takes one form per body: sealed (and routed to its one receiver) or bytes
      expect(calls.routed.length + calls.bytes).toBeGreaterThanOrEqual(2);
      expect(calls.routed.every((n) => n === 1)).toBe(true);
    });

    it("drain on a subscription delivers what was published before, then closes it", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      const sub = t.subscribe(`${p}.d`, {}, s.handler);
      for (let i = 0; i < 100; i++) t.publish(`${p}.d`, u32(i));
      await sub.drain();
      expect(s.msgs.map(readU32)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      await sub.closed;
      t.publish(`${p}.d`, u32(100));
      await t.flush();
      await turn();
      expect(s.msgs).toHaveLength(100);
    });

    it("drain on the transport delivers buffered messages, refuses new subscriptions, then closes", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      const sub = t.subscribe(`${p}.td`, {}, s.handler);
      for (let i = 0; i < 200; i++) t.publish(`${p}.td`, u32(i));
      const drained = t.drain();
      expectTransportError(() => t.subscribe(`${p}.late`, {}, () => undefined), "TRANSPORT_FAILURE");
      await drained;
      expect(s.msgs.map(readU32)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      await sub.closed;
      await expect(t.closed).resolves.toBeUndefined();
      expectTransportError(() => t.publish(`${p}.td`, u32(0)), "TRANSPORT_FAILURE");
      await t.drain();
    });

    it("close stops delivery, resolves closed and reports a closed status; later calls fail with TRANSPORT_FAILURE", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      const statuses: TransportStatus[] = [];
      t.onStatus((st) => statuses.push(st));
      const sub = t.subscribe(`${p}.c`, {}, s.handler);
      for (let i = 0; i < 1000; i++) t.publish(`${p}.c`, u32(i));
      await t.close();
      const seen = s.msgs.length;
      await expect(t.closed).resolves.toBeUndefined();
      await sub.closed;
      expect(statuses.filter((st) => st.type === "closed")).toHaveLength(1);
      expectTransportError(() => t.publish(`${p}.c`, u32(0)), "TRANSPORT_FAILURE");
      expectTransportError(() => t.subscribe(`${p}.c`, {}, s.handler), "TRANSPORT_FAILURE");
      await expect(t.flush()).rejects.toMatchObject({ code: "TRANSPORT_FAILURE" });
      await turn();
      await turn();
      expect(s.msgs.length).toBe(seen);
      await t.close();
    });

    it("answers a publish nobody subscribes to with a noResponders message on the reply inbox", async () => {
      const t = await create();
      const p = prefix();
      const inbox = t.newInbox();
      const s = sink();
      t.subscribe(inbox, {}, s.handler);
      t.publish(`${p}.nobody.home`, text("anyone?"), { reply: inbox });
      await waitFor("no-responders", () => s.msgs.length === 1);
      const m = s.msgs[0]!;
      expect(m.noResponders).toBe(true);
      expect(m.subject).toBe(inbox);
      expect(m.data.byteLength).toBe(0);
      // With a responder there is no noResponders message, only the reply.
      t.subscribe(`${p}.svc`, { queue: "svc" }, (req) => t.publish(req.reply!, text(`echo ${str(req)}`)));
      t.publish(`${p}.svc`, text("hi"), { reply: inbox });
      await waitFor("reply", () => s.msgs.length === 2);
      await t.flush();
      await turn();
      expect(s.msgs).toHaveLength(2);
      expect(s.msgs[1]!.noResponders).toBe(false);
      expect(str(s.msgs[1]!)).toBe("echo hi");
    });

    it("newInbox returns unique single-token `_INBOX.` subjects", async () => {
      const t = await create();
      const seen = new Set<string>();
      for (let i = 0; i < 2000; i++) {
        const inbox = t.newInbox();
        expect(inbox).toMatch(/^_INBOX\.[^.]+$/);
        expect(subjectProblem(inbox, "publish")).toBeUndefined();
        seen.add(inbox);
      }
      expect(seen.size).toBe(2000);
      const other = await create();
      expect(seen.has(other.newInbox())).toBe(false);
    });

    it("rejects bad subjects and queue names with INVALID_REQUEST naming the subject", async () => {
      const t = await create();
      const data = text("x");
      for (const bad of ["", "a..b", ".a", "a.", "a b", "a\tb", "a.*", "a.>", "*", "a.b*"]) {
        expectTransportError(() => t.publish(bad, data), "INVALID_REQUEST", bad);
      }
      for (const bad of ["", "a..b", "a b", "a.>.b", "a.b*", "a.>b", ">.a"]) {
        expectTransportError(() => t.subscribe(bad, {}, () => undefined), "INVALID_REQUEST", bad);
      }
      expectTransportError(() => t.publish("ok.subject", data, { reply: "bad reply" }), "INVALID_REQUEST", "bad reply");
      expectTransportError(() => t.publish("ok.subject", data, { reply: "_INBOX.*" }), "INVALID_REQUEST", "_INBOX.*");
      for (const bad of ["", "bad queue", "q*"]) {
        expectTransportError(() => t.subscribe("ok.subject", { queue: bad }, () => undefined), "INVALID_REQUEST");
      }
      // a bad option is a programmer mistake: the runtime's one invalid-argument error
      expect(() => t.subscribe("ok.subject", { maxPending: 0 }, () => undefined)).toThrow(
        expect.objectContaining({
          code: "INVALID_REQUEST",
          details: expect.objectContaining({ field: "opts.maxPending", value: 0, expected: "a positive integer" }),
        }),
      );
      // Nothing was half-registered: the transport still works.
      const s = sink();
      t.subscribe("ok.subject", {}, s.handler);
      t.publish("ok.subject", data);
      await waitFor("delivery", () => s.msgs.length === 1);
    });

    it("reports a throwing handler as an error status and keeps delivering", async () => {
      const t = await create();
      const p = prefix();
      const errors: TransportStatus[] = [];
      t.onStatus((st) => {
        if (st.type === "error") errors.push(st);
      });
      const got: number[] = [];
      t.subscribe(`${p}.boom`, {}, (m) => {
        const n = readU32(m);
        if (n === 1) throw new Error("handler exploded");
        got.push(n);
      });
      for (let i = 0; i < 4; i++) t.publish(`${p}.boom`, u32(i));
      await waitFor("the rest", () => got.length === 3);
      expect(got).toEqual([0, 2, 3]);
      await waitFor("error status", () => errors.length === 1);
      const st = errors[0]!;
      if (st.type !== "error") throw new Error("unreachable");
      expect(st.error.message).toContain("handler exploded");
      expect(st.error.subject).toBe(`${p}.boom`);
      expect((st.error.cause as Error).message).toBe("handler exploded");
    });

    it("stops calling a status listener once its remover is called", async () => {
      const t = await create();
      const p = prefix();
      let calls = 0;
      const stop = t.onStatus(() => calls++);
      stop();
      t.subscribe(`${p}.x`, {}, () => {
        throw new Error("x");
      });
      const s = sink();
      t.subscribe(`${p}.x`, {}, s.handler);
      t.publish(`${p}.x`, text("1"));
      await waitFor("delivery", () => s.msgs.length === 1);
      await turn();
      expect(calls).toBe(0);
    });

    it("carries a 512 KiB message intact and refuses one over 1 MiB with INVALID_REQUEST", async () => {
      const t = await create();
      const p = prefix();
      const s = sink();
      t.subscribe(`${p}.big`, {}, s.handler);
      const big = new Uint8Array(randomBytes(512 * 1024));
      t.publish(`${p}.big`, big);
      await waitFor("large message", () => s.msgs.length === 1);
      expect(Buffer.from(s.msgs[0]!.data).equals(Buffer.from(big))).toBe(true);
      expectTransportError(() => t.publish(`${p}.big`, new Uint8Array(1024 * 1024 + 1)), "INVALID_REQUEST", `${p}.big`);
    });

    it("supports await using on subscriptions and transports", async () => {
      const p = prefix();
      const s = sink();
      let outer: Transport | undefined;
      {
        await using t = await factory();
        outer = t;
        {
          await using sub = t.subscribe(`${p}.disp`, {}, s.handler);
          expect(sub.dropped).toBe(0);
          t.publish(`${p}.disp`, text("1"));
        }
        expect(s.msgs.map(str)).toEqual(["1"]);
      }
      await expect(outer.closed).resolves.toBeUndefined();
    });
  });
}

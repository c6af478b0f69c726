/**
 * The innermost step of an invoke (under outbound middleware): open a reply route on the
 * inbox, send the request with `reply_to` (also as the NATS reply subject, so "no
 * responders" answers NO_HANDLER at once), wait for the terminal reply, close the route.
 * While the transport is recovering from a reconnect (link.ts), "no responders" is sent
 * again after a short backoff until the deadline, which then fails with a retryable
 * AGENT_UNAVAILABLE instead of AGENT_TIMEOUT.
 * Non-terminal frames (a stream handler answering an invoke) are skipped. One object per
 * call, no per-call closures (this path runs for every invoke).
 */
import type { Envelope } from "../../generated/ts/types.js";
import { AgentTimeoutError, CanceledError, type AcpError } from "../../generated/ts/errors.js";
import { isTerminal } from "../envelope/index.js";
import type { TransportMessage } from "../transport/types.js";
import type { BusCore, PendingCall } from "./core.js";
import type { RouteTarget } from "./inbox.js";
import { errorFromReply, isErrorReply } from "./replies.js";
import { toSendError } from "./send-errors.js";
import type { OutboundCall, OutboundResult } from "./types.js";

function onTimeout(call: InvokeCall): void {
  call.timeout();
}

function onResend(call: InvokeCall): void {
  call.resend();
}

/** First wait before sending again after "no responders" during a reconnect; doubles up to {@link RESEND_MAX_MS}. */
const RESEND_FIRST_MS = 25;
const RESEND_MAX_MS = 500;

class InvokeCall implements PendingCall, RouteTarget {
  readonly #core: BusCore;
  readonly #call: OutboundCall;
  readonly #target: unknown;
  readonly #requestId: string;
  readonly #timeoutMs: number;
  readonly #resolve: (result: OutboundResult) => void;
  readonly #reject: (err: AcpError) => void;
  #token = -1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #done = false;
  /** Kept only while a resend may be needed: the request and its reply subject. */
  #env: Envelope | undefined;
  #replyTo = "";
  #resendTimer: ReturnType<typeof setTimeout> | undefined;
  #resendWaitMs = RESEND_FIRST_MS;
  /** The last answer was "no responders" during a reconnect (the deadline then says so). */
  #unanswered: AcpError | undefined;

  constructor(core: BusCore, env: Envelope, call: OutboundCall, vouched: boolean, resolve: (result: OutboundResult) => void, reject: (err: AcpError) => void) {
    this.#core = core;
    this.#call = call;
    this.#target = env.to;
    this.#requestId = env.event_id;
    this.#timeoutMs = call.timeoutMs ?? core.defaultTimeoutMs;
    this.#resolve = resolve;
    this.#reject = reject;
    const signal = call.signal;
    if (signal?.aborted) {
      this.#done = true;
      reject(this.#canceled());
      return;
    }
    const route = core.inbox.open(this);
    this.#token = route.token;
    core.pending.add(this);
    this.#timer = setTimeout(onTimeout, this.#timeoutMs, this);
    signal?.addEventListener("abort", this, { once: true });
    try {
      // Set on the envelope itself: it is encoded right away, so a retry or a concurrent send of
      // the same object gets its own reply_to before its own encode.
      env.reply_to = route.subject;
      this.#replyTo = route.subject;
      // the bus' own request is handed over
      const sealed = core.publishEnvelope(call.subject, env, { reply: route.subject }, vouched ? "handed-over" : "foreign");
      core.counters.sent++;
      // Kept for a resend after a reconnect when it went as bytes (a transport that seals it
      // delivers in-process, never reconnects, and hands the object itself to a receiver).
      if (!sealed) this.#env = env;
    } catch (err: unknown) {
      this.#settle(toSendError(err, call.subject), undefined);
    }
  }

  /** The AbortSignal fired. */
  handleEvent(): void {
    this.#settle(this.#canceled(), undefined);
  }

  fail(err: AcpError): void {
    this.#settle(err, undefined);
  }

  timeout(): void {
    if (this.#unanswered !== undefined) {
      this.#settle(this.#unanswered, undefined);
      return;
    }
    const subject = this.#call.subject;
    this.#settle(
      new AgentTimeoutError(`no reply from ${JSON.stringify(this.#target ?? subject)} within ${this.#timeoutMs} ms`, {
        details: { subject, target: this.#target, timeoutMs: this.#timeoutMs },
      }),
      undefined,
    );
  }

  deliver(msg: TransportMessage): void {
    const subject = this.#call.subject;
    if (msg.noResponders) {
      const err = this.#core.link.noResponders(this.#target, subject);
      if (err.code === "NO_HANDLER" || this.#env === undefined) this.#settle(err, undefined);
      else this.#scheduleResend(err);
      return;
    }
    this.#unanswered = undefined;
    const inbound = this.#core.gate.decodeMessage(msg);
    if (!inbound.ok) {
      this.#settle(inbound.error, undefined);
      return;
    }
    const reply = inbound.envelope;
    if (reply.correlation_id !== undefined && reply.correlation_id !== this.#requestId) {
      this.#core.counters.unmatchedReplies++;
      return;
    }
    if (!isTerminal(reply)) return;
    if (isErrorReply(reply)) this.#settle(errorFromReply(reply), undefined);
    else this.#settle(undefined, reply);
  }

  /** "No responders" while reconnecting: send again after a backoff (the deadline timer keeps running). */
  #scheduleResend(err: AcpError): void {
    this.#unanswered = err;
    if (this.#resendTimer !== undefined) return;
    this.#resendTimer = setTimeout(onResend, this.#resendWaitMs, this);
    this.#resendWaitMs = Math.min(this.#resendWaitMs * 2, RESEND_MAX_MS);
  }

  resend(): void {
    this.#resendTimer = undefined;
    if (this.#done || this.#env === undefined) return;
    try {
      this.#env.reply_to = this.#replyTo; // as at the first send: another send of the object may have set its own
      this.#core.publishEnvelope(this.#call.subject, this.#env, { reply: this.#replyTo }, "foreign");
      this.#core.counters.sent++;
    } catch (err: unknown) {
      this.#settle(toSendError(err, this.#call.subject), undefined);
    }
  }

  #canceled(): AcpError {
    const subject = this.#call.subject;
    return new CanceledError(`invoke of ${subject} canceled`, { cause: this.#call.signal?.reason, details: { subject } });
  }

  #settle(err: AcpError | undefined, reply: Envelope | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#core.pending.delete(this);
    this.#core.inbox.close(this.#token);
    clearTimeout(this.#timer);
    clearTimeout(this.#resendTimer);
    this.#env = undefined;
    this.#call.signal?.removeEventListener("abort", this);
    if (err !== undefined) this.#reject(err);
    else this.#resolve({ kind: "reply", envelope: reply! });
  }
}

/**
 * Sends `env` to `call.subject` and resolves with the terminal final reply (rejects with error
 * replies). `vouched`: the bus' own request straight from its factory (vouch.ts).
 */
export function request(core: BusCore, env: Envelope, call: OutboundCall, vouched: boolean): Promise<OutboundResult> {
  return new Promise<OutboundResult>((resolve, reject) => {
    new InvokeCall(core, env, call, vouched, resolve, reject);
  });
}

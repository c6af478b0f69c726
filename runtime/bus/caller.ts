/**
 * The innermost step of an invoke (under outbound middleware): open a reply route on the
 * inbox, send the request with `reply_to` (also as the NATS reply subject, so "no
 * responders" answers NO_HANDLER at once), wait for the terminal reply, close the route.
 * Non-terminal frames (a stream handler answering an invoke) are skipped.
 */
import type { Envelope } from "../../generated/ts/types.js";
import { AgentTimeoutError, CanceledError, NoHandlerError, type AcpError } from "../../generated/ts/errors.js";
import { encode, isTerminal } from "../envelope/index.js";
import type { TransportMessage } from "../transport/types.js";
import type { BusCore, PendingCall } from "./core.js";
import { errorFromReply, isErrorReply } from "./replies.js";
import { toSendError } from "./send-errors.js";
import type { OutboundCall } from "./types.js";

/** Sends `env` to `call.subject` and resolves with the terminal final reply (rejects with error replies). */
export function request(core: BusCore, env: Envelope, call: OutboundCall): Promise<Envelope> {
  return new Promise<Envelope>((resolve, reject) => {
    const signal = call.signal;
    if (signal?.aborted) {
      reject(canceled(signal, call));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pending: PendingCall = { fail: (err) => settle(err, undefined) };
    const onAbort = (): void => settle(canceled(signal!, call), undefined);
    const onMessage = (msg: TransportMessage): void => {
      if (msg.noResponders) {
        settle(new NoHandlerError(`no handler for target ${JSON.stringify(env.to ?? call.subject)}: nobody serves ${call.subject}`, {
          details: { subject: call.subject, target: env.to },
        }), undefined);
        return;
      }
      const inbound = core.gate.decode(msg.data, msg.subject);
      if (!inbound.ok) {
        settle(inbound.error, undefined);
        return;
      }
      const reply = inbound.envelope;
      if (reply.correlation_id !== undefined && reply.correlation_id !== sent.event_id) {
        core.counters.unmatchedReplies++;
        return;
      }
      if (!isTerminal(reply)) return;
      if (isErrorReply(reply)) settle(errorFromReply(reply), undefined);
      else settle(undefined, reply);
    };
    const route = core.inbox.open(onMessage);
    const sent: Envelope = { ...env, reply_to: route.subject };

    function settle(err: AcpError | undefined, reply: Envelope | undefined): void {
      if (!core.pending.delete(pending)) return;
      core.inbox.close(route.token);
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (err !== undefined) reject(err);
      else resolve(reply!);
    }

    core.pending.add(pending);
    const timeoutMs = call.timeoutMs ?? core.defaultTimeoutMs;
    timer = setTimeout(() => {
      settle(new AgentTimeoutError(`no reply from ${JSON.stringify(env.to ?? call.subject)} within ${timeoutMs} ms`, {
        details: { subject: call.subject, target: env.to, timeoutMs },
      }), undefined);
    }, timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      core.publish(call.subject, encode(sent), { reply: route.subject });
      core.counters.sent++;
    } catch (err: unknown) {
      settle(toSendError(err, call.subject), undefined);
    }
  });
}

function canceled(signal: AbortSignal, call: OutboundCall): AcpError {
  return new CanceledError(`invoke of ${call.subject} canceled`, { cause: signal.reason, details: { subject: call.subject } });
}

/**
 * Middleware composition: `[a, b, c]` wraps as `a(b(c(core)))`, so the first middleware
 * sees an envelope first and a result last.
 */
import type { InboundHandler, InboundMiddleware, OutboundMiddleware, OutboundSend } from "./types.js";

/** Composes inbound middleware around `core`. */
export function composeInbound(middleware: readonly InboundMiddleware[] | undefined, core: InboundHandler): InboundHandler {
  let handler = core;
  if (middleware !== undefined) for (let i = middleware.length - 1; i >= 0; i--) handler = middleware[i]!(handler);
  return handler;
}

/** Composes outbound middleware around `core`. */
export function composeOutbound(middleware: readonly OutboundMiddleware[] | undefined, core: OutboundSend): OutboundSend {
  let send = core;
  if (middleware !== undefined) for (let i = middleware.length - 1; i >= 0; i--) send = middleware[i]!(send);
  return send;
}

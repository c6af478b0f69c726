/**
 * The leak check every test file gets (test/setup/leak-check.ts runs it through vitest's
 * `setupFiles`): whatever a file opens (sockets, servers, timers, child processes, pipes) it
 * closes before its `afterAll` hooks end. A failure names what was left open.
 */
import { ChildProcess } from "node:child_process";
import { Server, Socket } from "node:net";

/** What was alive at one moment: resource counts by kind, and the handle objects themselves. */
export interface HandleSnapshot {
  readonly counts: ReadonlyMap<string, number>;
  readonly handles: ReadonlySet<object>;
}

/**
 * Short-lived requests (a write, a DNS lookup, a connect or close in flight): they finish on
 * their own and are not owned by the file; what is waited for is the handle they belong to.
 */
const TRANSIENT = new Set([
  "CloseReq",
  "ConnectWrap",
  "FSReqCallback",
  "FSReqPromise",
  "FileHandleCloseReq",
  "GetAddrInfoReqWrap",
  "ShutdownWrap",
  "WriteWrap",
]);

/** Node's list of live handle objects (sockets, servers, child processes; not timers). */
function activeHandles(): object[] {
  const p = process as unknown as { _getActiveHandles?: () => unknown[] };
  return (p._getActiveHandles?.() ?? []).filter((h): h is object => typeof h === "object" && h !== null);
}

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) if (!TRANSIENT.has(kind)) m.set(kind, (m.get(kind) ?? 0) + 1);
  return m;
}

/** Takes a {@link HandleSnapshot} of the resources keeping the event loop alive now. */
export function snapshotHandles(): HandleSnapshot {
  return { counts: counts(), handles: new Set(activeHandles()) };
}

/** One line naming a handle: a server's address, a socket's two ends, a child's command line. */
export function describeHandle(h: object): string {
  if (h instanceof ChildProcess) return `child process ${h.pid ?? "?"} (${h.spawnargs.join(" ")})`;
  if (h instanceof Server) {
    const a = h.address();
    return `server listening on ${a === null ? "?" : typeof a === "string" ? a : `${a.address}:${a.port}`}`;
  }
  if (h instanceof Socket) {
    return h.remotePort === undefined
      ? "pipe (a child process's stdio or a Unix socket)"
      : `socket ${h.localAddress}:${h.localPort} -> ${h.remoteAddress}:${h.remotePort}`;
  }
  return h.constructor.name;
}

/**
 * What is alive now and was not at `before`: one entry per resource kind that grew
 * (`"Timeout: 1 -> 2"`), then a description of each new handle object. Empty when nothing leaked.
 */
export function findLeaks(before: HandleSnapshot): string[] {
  const now = counts();
  const grown = [...now].filter(([kind, n]) => n > (before.counts.get(kind) ?? 0)).map(([kind, n]) => `${kind}: ${before.counts.get(kind) ?? 0} -> ${n}`);
  if (grown.length === 0) return [];
  const named = activeHandles()
    .filter((h) => !before.handles.has(h))
    .map(describeHandle);
  return [...grown, ...named];
}

/**
 * Resolves once nothing is alive that was not at `before`, waiting up to `settleMs` for closes
 * in flight; otherwise throws an error that names what was left open and what to do.
 */
export async function expectNoLeaks(before: HandleSnapshot, settleMs = 5_000): Promise<void> {
  const deadline = Date.now() + settleMs;
  let leaks = findLeaks(before);
  while (leaks.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    leaks = findLeaks(before);
  }
  if (leaks.length > 0) {
    throw new Error(
      `the test file left open (still open ${settleMs} ms after its afterAll hooks): ${leaks.join("; ")}. ` +
        "Close every server, bus, transport, timer and child process it opens (await its close() in afterAll, clearTimeout/clearInterval timers).",
    );
  }
}

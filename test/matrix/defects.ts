/**
 * Known interop defects the matrix found, each with the cells it breaks (`scenario|peer|peer…`).
 * matrix.test.ts runs those cells as `it.fails`: a fix makes the cell fail until its entry goes.
 * Each description says what was sent on which subject and field, by whom, and what is expected.
 */

/** A defect and the cells it breaks. */
interface Defect {
  readonly id: string;
  readonly what: string;
  readonly cells: readonly string[];
}

const OUR_V1_SERVERS = ["ts", "py", "ts1", "py1"];

const DEFECTS: readonly Defect[] = [
  {
    id: "K1",
    what:
      "Kotlin NatsTransport.flush() (generated/kotlin NatsTransport.kt) calls jnats Connection.flush, which sends a PING and waits for its PONG; " +
      "with more than maxPingsOut (jnats default 2) flushes in flight jnats logs 'Max outgoing Ping count exceeded', drops and reconnects the " +
      "connection, and the flushes fail with TransportFailureException ('nats transport: flush: java.util.concurrent.CancellationException'); " +
      "the TypeScript and Python transports answer any number of concurrent flushes",
    cells: ["flush-burst|kt", "flush-burst|kt1"],
  },
  {
    id: "K2",
    what:
      "the Kotlin Bus (Wire.errorPayload) answers a schema_version 1 request with the extension code as is: to py03's v1 invoke on " +
      "acp.v1.invoke.mx-kt-invoke (and its stream on mx-kt-stream) the agent.response.error payload / error frame is " +
      '{"code": "PERMISSION_DENIED" (or "CANCELED"), "message", "retryable": false} without cause, where spec/errors.md ' +
      '"Extension codes and v1 peers" requires code "AUTH_FAILURE" (or "AGENT_UNAVAILABLE") with cause {"acp.code": "PERMISSION_DENIED"}; ' +
      "0.3.0 reads a code outside its list",
    cells: ["errors", "stream-error"].flatMap((s) => [`${s}|py03|kt`, `${s}|py03|kt1`]),
  },
  {
    id: "K3",
    what:
      "the Kotlin Bus's reader (Wire.errorOfReply) takes payload.code only: in schema_version 1 mode (kt1) the TypeScript and Python " +
      'runtimes answer its request with {"code": "AUTH_FAILURE", "message", "retryable": false, "cause": {"acp.code": "PERMISSION_DENIED"}} ' +
      '(AGENT_UNAVAILABLE for CANCELED), as spec/errors.md "Extension codes and v1 peers" says, and kt1 raises AUTH_FAILURE / ' +
      'AGENT_UNAVAILABLE where our other runtimes\' readers recover PERMISSION_DENIED / CANCELED from cause["acp.code"]',
    cells: ["errors", "stream-error"].flatMap((s) => OUR_V1_SERVERS.map((server) => `${s}|kt1|${server}`)),
  },
];

/** `scenario|peer…` → "<id>: <what>", for every cell a known defect breaks. */
export const KNOWN_DEFECTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(DEFECTS.flatMap((d) => d.cells.map((cell) => [cell, `${d.id}: ${d.what}`]))),
);

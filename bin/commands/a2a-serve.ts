/**
 * `oaio a2a serve --nats URL --target T`: serves a bus target as an A2A 1.0 agent
 * (startA2aServer, runtime/a2a/server.ts) until SIGINT/SIGTERM. Callers authenticate with a
 * Bearer JWT checked by the gateway's verifier (--jwks-url or --public-key, --issuer,
 * --audience, --tenant-claim); `--auth none` (no authentication, one anonymous tenant) needs
 * `--dev`, listens on loopback only and says so loudly. Tasks live in memory, or in a JetStream KV bucket (--kv-bucket).
 * The card's name, description, version and skills come from --contract (an agent contract
 * `*.agent.json`, or the card `oaio generate --contracts` wrote for it), else from --name.
 */
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import type { Command } from "commander";
import { createBus, type Bus } from "../../runtime/bus/index.js";
import { connectNats, type NatsTransport } from "../../runtime/transport/index.js";
import { cardInfoFromContract, type AgentCardInfo, type AgentContractLike } from "../../runtime/a2a/agent-card.js";
import { contractFromAgentCard, type AgentContractSource } from "../../runtime/a2a/contract-card.js";
import type { AgentCard } from "../../generated/a2a/index.js";
import type { A2aAuth } from "../../runtime/a2a/auth.js";
import type { JwtVerifierOptions } from "../../runtime/gateway/auth/jwt.js";
import { parseMs, parseNatsUrl, UsageError } from "./invoke.js";
import { cliName } from "./serve.js";
import { A2A_PACKAGES, loadOptional } from "./usage.js";

/** The options of `oaio a2a serve`. */
export interface A2aServeCliOptions {
  nats: string;
  prefix: string;
  target?: string;
  contract?: string;
  name?: string;
  host: string;
  port: string;
  auth: string;
  dev?: boolean;
  jwksUrl?: string;
  publicKey?: string;
  issuer?: string;
  audience?: string;
  tenantClaim: string;
  kvBucket?: string;
  timeout?: string;
}

/** Default port: the one the A2A samples use. */
export const A2A_SERVE_DEFAULT_PORT = 41241;

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535) throw new UsageError(`--port must be a port number 0-65535 (0: a free one), got ${text}`);
  return n;
}

/** What the card says and the target it routes to, from --contract / --target / --name. */
export interface CardPlan {
  readonly card: AgentCardInfo;
  readonly target: string;
  /** A generated card whose skills run on several targets: the server routes each skill to its own (`target` is then ""). */
  readonly contract?: AgentContractSource;
  /** Printed under the card line (e.g. that several skills share one target). */
  readonly notes: readonly string[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Skill id → bus target of a contract (`target`, default `{name}:{id}`) or of a generated card's contract extension. */
function skillTargets(doc: Obj, isCard: boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (isCard) {
    const caps = isObject(doc["capabilities"]) ? doc["capabilities"] : {};
    const exts = Array.isArray(caps["extensions"]) ? caps["extensions"] : [];
    for (const e of exts) {
      const targets = isObject(e) && isObject(e["params"]) && isObject(e["params"]["targets"]) ? e["params"]["targets"] : {};
      for (const [id, t] of Object.entries(targets)) if (isObject(t) && typeof t["target"] === "string") out.set(id, t["target"]);
    }
    return out;
  }
  for (const s of Array.isArray(doc["skills"]) ? doc["skills"] : []) {
    if (!isObject(s) || typeof s["id"] !== "string") continue;
    out.set(s["id"], typeof s["target"] === "string" ? s["target"] : `${String(doc["name"])}:${s["id"]}`);
  }
  return out;
}

/**
 * The card and target of the server. `--contract FILE`: an agent contract (`*.agent.json`,
 * format oaio.agent/1) or the A2A card generated from one (`*.agent-card.json`); the target is
 * --target, else the one skill's target. Without a contract the card names --name (default:
 * the target) and has no skills.
 */
export function planCard(opts: Pick<A2aServeCliOptions, "contract" | "target" | "name">, version: string): CardPlan {
  if (opts.contract === undefined) {
    if (opts.target === undefined) throw new UsageError("--target is required (the bus target to serve), or --contract FILE whose one skill names it");
    const name = opts.name ?? opts.target;
    return { card: { name, description: `bus target ${opts.target} served over A2A by oaio`, version }, target: opts.target, notes: [] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(opts.contract, "utf8"));
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--contract ${opts.contract}: ${code === "ENOENT" ? "no such file" : err instanceof Error ? err.message : String(err)}; pass an agent contract (*.agent.json) or the card oaio generate --contracts wrote for it`,
    );
  }
  const isCard = isObject(doc) && Array.isArray(doc["supportedInterfaces"]);
  if (!isObject(doc) || typeof doc["name"] !== "string" || !Array.isArray(doc["skills"])) {
    throw new UsageError(
      `--contract ${opts.contract}: expected an agent contract (an object with "name" and "skills", spec/agent-contract.md) or an A2A agent card; run oaio generate --contracts on its folder to find what is wrong`,
    );
  }
  const contract = doc as unknown as AgentContractLike;
  const card: AgentCardInfo = isCard
    ? {
        ...cardInfoFromContract(contract),
        ...(Array.isArray(doc["defaultInputModes"]) ? { defaultInputModes: doc["defaultInputModes"] as string[] } : {}),
        ...(Array.isArray(doc["defaultOutputModes"]) ? { defaultOutputModes: doc["defaultOutputModes"] as string[] } : {}),
      }
    : { ...cardInfoFromContract(contract), ...(typeof doc["title"] === "string" ? { name: doc["title"] } : {}) };
  if (opts.name !== undefined) card.name = opts.name;
  const targets = skillTargets(doc, isCard);
  const distinct = [...new Set(targets.values())];
  if (opts.target !== undefined) {
    const notes = distinct.length > 1 ? [`every skill (${[...targets.keys()].join(", ")}) is served by target ${opts.target}`] : [];
    return { card, target: opts.target, notes };
  }
  if (distinct.length === 1 && distinct[0] !== undefined) return { card, target: distinct[0], notes: [] };
  if (isCard && distinct.length > 1) {
    // the card oaio generate --contracts wrote carries each skill's target: one server routes them all
    let contract: AgentContractSource;
    try {
      contract = contractFromAgentCard(doc as unknown as AgentCard);
    } catch (err: unknown) {
      throw new UsageError(`--contract ${opts.contract}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const routes = [...targets.entries()].map(([skill, target]) => `${skill} -> ${target}`).join(", ");
    return {
      card,
      target: "",
      contract,
      notes: [`each skill runs on its own target (${routes}); a request names one in message.metadata.skillId, else the first`],
    };
  }
  throw new UsageError(
    distinct.length === 0
      ? `--contract ${opts.contract} names no skill target; pass --target`
      : `--contract ${opts.contract} has ${distinct.length} skill targets (${distinct.join(", ")}); pass --target to choose the one this server routes to, or pass the card oaio generate --contracts wrote for it, whose skills each route to their own target`,
  );
}

/** What the verifier reads: a PEM public key (or certificate), a public JWK, or a JWKS, from a file. */
function keySource(opts: Pick<A2aServeCliOptions, "jwksUrl" | "publicKey">): JwtVerifierOptions {
  if (opts.jwksUrl !== undefined && opts.publicKey !== undefined) throw new UsageError("--jwks-url and --public-key both give the verification key; pass one");
  if (opts.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(opts.jwksUrl);
    } catch {
      throw new UsageError(`--jwks-url must be an absolute https:// URL of a JWKS, got ${JSON.stringify(opts.jwksUrl)}`);
    }
    return { jwksUrl: url };
  }
  if (opts.publicKey === undefined) {
    throw new UsageError(
      "no authentication configured: pass --jwks-url URL or --public-key FILE (callers send Authorization: Bearer <JWT>), or --auth none --dev for local development without authentication",
    );
  }
  let text: string;
  try {
    text = readFileSync(opts.publicKey, "utf8");
  } catch (err: unknown) {
    throw new UsageError(`--public-key ${opts.publicKey}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  if (text.trimStart().startsWith("{")) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch (err: unknown) {
      throw new UsageError(`--public-key ${opts.publicKey}: not JSON (${(err as Error).message}); pass a PEM public key, a public JWK or a JWKS`);
    }
    if (isObject(jwk) && Array.isArray(jwk["keys"])) return { jwks: jwk as { keys: [] } };
    if (isObject(jwk)) return { publicKey: jwk };
    throw new UsageError(`--public-key ${opts.publicKey}: expected a JWK or JWKS object`);
  }
  try {
    return { publicKey: createPublicKey(text) };
  } catch (err: unknown) {
    throw new UsageError(`--public-key ${opts.publicKey}: not a PEM public key or certificate (${(err as Error).message})`);
  }
}

/** Loopback addresses: 127.0.0.0/8 and ::1 (IPv4-mapped forms included). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
LOOPBACK.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/** Whether `host` is a loopback name or address (what development mode may listen on). */
function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? "ipv4" : "ipv6");
}

/** The server's auth from the options, and the line that describes it. */
async function authOf(opts: A2aServeCliOptions): Promise<{ auth: A2aAuth; describe: string }> {
  if (opts.auth === "none") {
    if (opts.dev !== true) throw new UsageError("--auth none turns authentication off; it needs --dev too (local development only, never on a reachable port)");
    if (opts.jwksUrl !== undefined || opts.publicKey !== undefined) throw new UsageError("--auth none with --jwks-url/--public-key: pass one or the other");
    if (!isLoopback(opts.host)) {
      throw new UsageError(
        `--auth none --dev listens on a loopback host only (127.0.0.1, ::1, localhost), got --host ${opts.host}: without authentication anyone who reaches the port runs tasks; pass --jwks-url or --public-key to serve there`,
      );
    }
    return { auth: "none", describe: "NONE (development mode: every caller is the anonymous principal of one tenant)" };
  }
  if (opts.auth !== "jwt") throw new UsageError(`--auth takes jwt or none, got ${JSON.stringify(opts.auth)}`);
  const source = keySource(opts);
  const { createJwtVerifier } = await loadOptional(A2A_PACKAGES, () => import("../../runtime/gateway/auth/jwt.js"), "a2a serve");
  let auth: A2aAuth;
  try {
    auth = createJwtVerifier({
      ...source,
      ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
      ...(opts.audience === undefined ? {} : { audience: opts.audience }),
      tenantClaim: opts.tenantClaim,
    } as JwtVerifierOptions);
  } catch (err: unknown) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const from = "jwksUrl" in source ? `JWKS ${String(source.jwksUrl)}` : "jwks" in source ? `JWKS file ${opts.publicKey}` : `public key ${opts.publicKey}`;
  const claims = [opts.issuer === undefined ? "" : `, issuer ${opts.issuer}`, opts.audience === undefined ? "" : `, audience ${opts.audience}`].join("");
  return { auth, describe: `Bearer JWT (${from}${claims}), tenant claim ${opts.tenantClaim}` };
}

/** Registers `oaio a2a serve` under the `a2a` command. */
export function register(a2a: Command): void {
  a2a
    .command("serve")
    .description("serve a bus target as an A2A 1.0 agent (JSON-RPC + SSE) until Ctrl-C; callers authenticate with a Bearer JWT")
    .option("--nats <url>", "NATS server the target is on", parseNatsUrl, "nats://127.0.0.1:4222")
    .option("--prefix <prefix>", "subject prefix", "acp.v1")
    .option("--target <target>", "the bus target every task runs on (default: the one skill target of --contract)")
    .option("--contract <file>", "agent contract (*.agent.json) or its generated card: the card's name, description, version and skills")
    .option("--name <name>", "the card's agent name (default: the contract's title, else the target)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: a free one)", String(A2A_SERVE_DEFAULT_PORT))
    .option("--auth <mode>", "jwt (Bearer JWT, needs --jwks-url or --public-key) or none (needs --dev)", "jwt")
    .option("--dev", "allow --auth none: no authentication, on a loopback --host only, for local development")
    .option("--jwks-url <url>", "verify tokens against this JWKS")
    .option("--public-key <file>", "verify tokens with this PEM public key (or certificate), public JWK or JWKS file")
    .option("--issuer <iss>", "accepted iss claim")
    .option("--audience <aud>", "accepted aud claim")
    .option("--tenant-claim <claim>", "claim naming the caller's tenant (dotted path for nested claims)", "tenant_id")
    .option("--kv-bucket <name>", "keep tasks and push configs in this JetStream KV bucket (created when missing) instead of memory")
    .option("--timeout <ms>", "overall time of one task run on the bus, in ms (default: the bus default)")
    .action(async (opts: A2aServeCliOptions) => {
      await serve(opts).catch((err: unknown) => {
        process.stderr.write(`oaio a2a serve: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
      });
    });
}

/** Starts the server, prints where it is, waits for SIGINT/SIGTERM, closes everything. */
async function serve(opts: A2aServeCliOptions): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const port = parsePort(opts.port);
  const timeoutMs = opts.timeout === undefined ? undefined : parseMs(opts.timeout, "--timeout");
  const plan = planCard(opts, packageVersionOf());
  const { auth, describe } = await authOf(opts);
  const { startA2aServer } = await loadOptional(A2A_PACKAGES, () => import("../../runtime/a2a/server.js"), "a2a serve");

  let transport: NatsTransport;
  try {
    transport = await connectNats({ servers: opts.nats, name: "oaio a2a serve" });
  } catch (err: unknown) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)} (is a NATS server running there? start one, or pass --nats URL)`);
  }
  let bus: Bus | undefined;
  try {
    try {
      bus = createBus({ agentId: "oaio-a2a", transport, prefix: opts.prefix });
    } catch (err: unknown) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (auth === "none") {
      process.stderr.write(
        "WARNING: oaio a2a serve --auth none --dev: NO AUTHENTICATION. Anyone who reaches this port can run tasks on the bus target. Local development only.\n",
      );
    }
    const server = await startA2aServer({
      bus,
      auth,
      ...(plan.contract === undefined ? { target: plan.target, card: plan.card } : { contract: plan.contract }),
      host: opts.host,
      port,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(opts.kvBucket === undefined ? {} : { kvStore: { nats: transport.connection, bucket: opts.kvBucket } }),
      logger: {
        warn: (fields, msg) => void process.stderr.write(`[warn] ${msg} ${JSON.stringify(fields)}\n`),
        error: (fields, msg) => void process.stderr.write(`[error] ${msg} ${JSON.stringify(fields)}\n`),
      },
    }).catch((err: unknown) => {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    });
    const base = server.url.replace(/\/$/, "");
    const cli = cliName();
    out(
      `oaio a2a serve: ${plan.contract === undefined ? `bus target ${plan.target}` : `bus targets of contract ${plan.contract.name}`} (${opts.nats}, prefix ${opts.prefix}) as A2A agent ${JSON.stringify(plan.card.name)}`,
    );
    out(`  agent card  ${base}/.well-known/agent-card.json`);
    out(`  JSON-RPC    ${base}/   (A2A 1.0 with header A2A-Version: 1.0; 0.3 without it; streams over SSE)`);
    out(`  auth        ${describe}`);
    out(`  tasks       ${opts.kvBucket === undefined ? "in memory (lost when the server stops)" : `JetStream KV bucket ${opts.kvBucket}`}`);
    for (const note of plan.notes) out(`  note        ${note}`);
    out(`Try, in another terminal:`);
    const token = auth === "none" ? "" : " --token $TOKEN";
    out(`  ${cli} a2a card ${base}`);
    out(`  ${cli} a2a send ${base} "hello"${token}`);
    out(`  ${cli} a2a stream ${base} "hello"${token}`);
    out(`Ctrl-C stops.`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    out("oaio a2a serve: stopping");
    await server.close();
    process.exitCode = 0;
  } finally {
    await bus?.close();
    await transport.close();
  }
}

/** openagentio's version, for a card without a contract. */
function packageVersionOf(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    return isObject(parsed) && typeof parsed["version"] === "string" ? parsed["version"] : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

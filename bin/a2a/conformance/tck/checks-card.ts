/** TCK checks of the agent card endpoint (CARD-*): discovery, structure, signing, caching. */
import { flattenedVerify, importJWK, type JWK } from "jose";
import { blocked, expect, notApplicable, type TckCheck, type TckContext } from "./framework.js";
import { grpcAddress } from "./client-grpc.js";
import type { Obj } from "./types.js";

/** RFC 8785 JSON Canonicalization Scheme (keys sorted by UTF-16 code units, ES number forms). */
export function jcs(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(",")}]`;
  const o = v as Obj;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`)
    .join(",")}}`;
}

const b64url = (s: string): string => Buffer.from(s, "utf8").toString("base64url");

function signatures(ctx: TckContext): Obj[] {
  const sigs = ctx.card["signatures"];
  if (!Array.isArray(sigs) || sigs.length === 0) notApplicable("the card carries no signatures");
  return sigs as Obj[];
}

function protectedHeader(sig: Obj): Obj {
  const raw = sig["protected"];
  expect(typeof raw === "string", "a signature has no protected header");
  try {
    return JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Obj;
  } catch {
    throw new Error("a signature's protected header is not base64url JSON");
  }
}

async function verifySignatures(ctx: TckContext): Promise<void> {
  const { signatures: _s, ...unsigned } = ctx.card;
  for (const sig of signatures(ctx)) {
    const header = protectedHeader(sig);
    const jwk = (header["jwk"] ?? sig["header"]?.["jwk"]) as JWK | undefined;
    if (jwk === undefined) blocked("the signature names no embedded jwk; the key behind its kid/jku is not fetched by these checks");
    const key = await importJWK(jwk, String(header["alg"]));
    await flattenedVerify({ protected: sig["protected"], signature: sig["signature"], payload: b64url(jcs(unsigned)) }, key).catch((err: unknown) => {
      throw new Error(`the signature does not verify over the JCS form of the card without signatures: ${(err as Error).message}`);
    });
  }
}

const interfaces = (ctx: TckContext): Obj[] => (Array.isArray(ctx.card["supportedInterfaces"]) ? (ctx.card["supportedInterfaces"] as Obj[]) : []);

export const cardChecks: readonly TckCheck[] = [
  {
    id: "CARD-DISC-001",
    async run(ctx) {
      expect(ctx.cardFetch.status === 200, `GET /.well-known/agent-card.json answered ${ctx.cardFetch.status}`);
      expect(ctx.cardFetch.body !== undefined && typeof ctx.cardFetch.body === "object", "the card is not a JSON object");
    },
  },
  {
    id: "CARD-PROTO-001",
    async run(ctx) {
      const ifs = interfaces(ctx);
      expect(ifs.length > 0, "supportedInterfaces is missing or empty");
      for (const i of ifs) {
        expect(typeof i["protocolBinding"] === "string" && i["protocolBinding"] !== "", `an interface has no protocolBinding: ${JSON.stringify(i)}`);
        expect(typeof i["protocolVersion"] === "string" && i["protocolVersion"] !== "", `an interface has no protocolVersion: ${JSON.stringify(i)}`);
      }
    },
  },
  {
    id: "CARD-PROTO-002",
    async run(ctx) {
      const ifs = interfaces(ctx);
      expect(ifs.length > 0, "supportedInterfaces is missing or empty");
      for (const i of ifs) {
        const url = String(i["url"] ?? "");
        const binding = String(i["protocolBinding"] ?? "").toUpperCase();
        if (binding === "GRPC") expect(/^[^/\s]+:\d+$/.test(grpcAddress(url)), `GRPC interface url ${JSON.stringify(url)} is not host:port`);
        else expect(/^https?:\/\/[^/\s]+/.test(url), `${binding} interface url ${JSON.stringify(url)} is not an absolute http(s) URL`);
      }
    },
  },
  {
    id: "CARD-STRUCT-001",
    async run(ctx) {
      expect(ctx.cardPlain.status === 200, `the card without A2A-Version answered ${ctx.cardPlain.status}`);
      const problems = ctx.proto.check("AgentCard", ctx.cardPlain.body);
      expect(problems.length === 0, `the card (no A2A-Version header) is not a valid 1.0 AgentCard: ${problems.join("; ")}`);
    },
  },
  {
    id: "CARD-SIGN-001",
    async run(ctx) {
      await verifySignatures(ctx);
    },
  },
  {
    id: "CARD-SIGN-002",
    async run(ctx) {
      signatures(ctx);
      await verifySignatures(ctx);
    },
  },
  {
    id: "CARD-SIGN-003",
    async run(ctx) {
      for (const sig of signatures(ctx)) {
        const h = protectedHeader(sig);
        expect(typeof h["alg"] === "string" && typeof h["kid"] === "string", `a protected header lacks alg or kid: ${JSON.stringify(h)}`);
      }
    },
  },
  {
    id: "CARD-CACHE-001",
    async run(ctx) {
      const cc = ctx.cardFetch.headers.get("cache-control") ?? "";
      expect(/max-age=\d+/.test(cc), `Cache-Control ${cc ? JSON.stringify(cc) : "missing"}, expected a max-age`);
    },
  },
  {
    id: "CARD-CACHE-002",
    async run(ctx) {
      expect(ctx.cardFetch.headers.get("etag"), "no ETag header");
    },
  },
  {
    id: "CARD-CACHE-003",
    async run(ctx) {
      expect(ctx.cardFetch.headers.get("last-modified"), "no Last-Modified header");
    },
  },
];

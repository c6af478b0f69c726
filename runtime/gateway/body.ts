/**
 * Request bodies: JSON only (`application/json`, `application/*+json`), UTF-8, at most the
 * body limit (default 4 MiB, spec/gateway.md "Bodies"). An empty body is "no payload". Other
 * content types get 415 before the body is read; over the limit 413; bytes that are not
 * one JSON document (a leading byte order mark included, as the envelope decoder refuses it)
 * 400 with pointer "" (the request's fault, so not CODEC_FAILURE's 500),
 * and so do documents nested deeper than {@link MAX_JSON_DEPTH} (checked on the text before
 * parsing: deeper data overflowed the stack of the encoder and answered 500).
 */
import type { FastifyInstance } from "fastify";
import { InvalidRequestError } from "../../generated/ts/errors.js";
import { HttpError } from "./errors.js";
import { jsonDepthExceeds } from "../http/json-depth.js";

/** Default body limit: 4 MiB. */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/** Deepest accepted nesting of arrays and objects in a body (the bus's own bound for plain data). */
export const MAX_JSON_DEPTH = 256;

// ignoreBOM keeps a leading U+FEFF in the text so it is refused below, as the envelope decoder
// (runtime/envelope/decode.ts) and `oaio validate` refuse it: RFC 8259 §8.1 forbids sending one.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function invalid(message: string): HttpError {
  return new HttpError(400, new InvalidRequestError(message, { details: { pointer: "" } }));
}

/** Parses a JSON body; `undefined` for an empty one. Throws {@link HttpError} 400. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalid("request body is not valid UTF-8");
  }
  if (text.charCodeAt(0) === 0xfeff) throw invalid("request body starts with a byte order mark (U+FEFF); send JSON as UTF-8 without a BOM");
  if (text.trim() === "") return undefined;
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw invalid(`request body nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels; flatten the payload`);
  try {
    return JSON.parse(text);
  } catch (err: unknown) {
    throw invalid(`request body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Replaces fastify's body parsers with the gateway's JSON-only one. */
export function installBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  const parser = (_req: unknown, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    try {
      done(null, parseJsonBody(body));
    } catch (err: unknown) {
      done(err as Error, undefined);
    }
  };
  app.addContentTypeParser<Buffer>("application/json", { parseAs: "buffer", bodyLimit }, parser);
  app.addContentTypeParser<Buffer>(/^application\/[a-z0-9!#$&^_.-]+\+json\s*(?:;|$)/i, { parseAs: "buffer", bodyLimit }, parser);
}

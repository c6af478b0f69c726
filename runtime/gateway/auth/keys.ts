/**
 * Verification keys of the JWT verifier and the algorithms each may verify (spec/gateway.md
 * "Auth"). Key material must say what it is: a secret is only ever given as `secret` (HS*),
 * a public key only as a public KeyObject / CryptoKey / public JWK, a key set as a JWKS.
 * Bytes or text given as a public key are refused: jose reads a Uint8Array as an HMAC
 * secret, so a public PEM passed as a Buffer let anyone sign HS256 tokens with that public
 * (hence known) PEM. Each key type verifies only its own algorithms (RSA: RS* and PS*,
 * EC: the ES* of its curve, Ed25519: EdDSA), and HS* never verifies against a public key.
 * Nor does a secret: one that is key material (PEM anywhere in it, DER, a JWK's JSON text,
 * base64 or hex of DER) is refused, and a secret shorter than the hash of an HS* algorithm
 * (RFC 7518 §3.2) does not verify that algorithm.
 */
import { KeyObject, X509Certificate, createPrivateKey, createPublicKey, type webcrypto, type JsonWebKey } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
import { createLocalJWKSet, createRemoteJWKSet } from "jose";
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from "jose";
import type { InvalidRequestError } from "../../../generated/ts/errors.js";
import { invalidArgument } from "../../errors.js";

/** Where the verification keys come from: exactly one. */
export type JwtKeySource = { secret: string | Uint8Array } | { publicKey: KeyObject | CryptoKey | JWK } | { jwks: JSONWebKeySet } | { jwksUrl: string | URL };

/** What the verifier verifies with, and the algorithms it accepts. */
export interface ResolvedKey {
  readonly key: KeyObject | Uint8Array | JWTVerifyGetKey;
  readonly algorithms: readonly string[];
}

const HMAC = ["HS256", "HS384", "HS512"] as const;
/** Least secret length per HS* algorithm, bytes: the hash size (RFC 7518 §3.2). */
const HMAC_MIN_BYTES: Readonly<Record<(typeof HMAC)[number], number>> = { HS256: 32, HS384: 48, HS512: 64 };
const RSA = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const;
const RSA_PSS = ["PS256", "PS384", "PS512"] as const;
const EC_BY_CURVE: Readonly<Record<string, readonly string[]>> = Object.assign(Object.create(null) as Record<string, readonly string[]>, {
  prime256v1: ["ES256"],
  secp384r1: ["ES384"],
  secp521r1: ["ES512"],
});
const EDDSA = ["EdDSA", "Ed25519"] as const;
/** Every asymmetric algorithm: what a JWKS may verify (jose matches each key to its kty and curve). */
const ASYMMETRIC = [...RSA, "ES256", "ES384", "ES512", ...EDDSA] as const;

/**
 * The invalid-argument error of createJwtVerifier. `got` describes what was given (never the
 * key material itself: a secret must not end up in a log).
 */
function invalid(field: string, got: string, expected: string): InvalidRequestError {
  return invalidArgument("createJwtVerifier", field, got, expected);
}

const KEY_KINDS = "an RSA, EC (P-256, P-384 or P-521) or Ed25519 public key";

/** The algorithms a public KeyObject may verify. */
function algorithmsOfPublicKey(key: KeyObject): readonly string[] {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return RSA;
    case "rsa-pss":
      return RSA_PSS;
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const algs = curve === undefined ? undefined : EC_BY_CURVE[curve];
      if (algs === undefined) throw invalid("publicKey", `an EC key on curve ${String(curve)}`, KEY_KINDS);
      return algs;
    }
    case "ed25519":
      return EDDSA;
    default:
      throw invalid("publicKey", `a ${String(key.asymmetricKeyType)} key`, KEY_KINDS);
  }
}

function isJwk(value: unknown): value is JWK {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) && typeof (value as { kty?: unknown }).kty === "string";
}

/** True for a WebCrypto key (Node 20 has the class as a global only). */
function isCryptoKey(value: unknown): value is CryptoKey {
  const ctor = (globalThis as { CryptoKey?: abstract new () => unknown }).CryptoKey;
  return ctor !== undefined && value instanceof ctor;
}

/** A public key's KeyObject, or a refusal naming what was given and what to give instead. */
function publicKeyObject(given: unknown): KeyObject {
  if (given instanceof KeyObject) {
    if (given.type !== "public") throw invalid("publicKey", `a ${given.type} KeyObject`, "the public key (createPublicKey(…) from node:crypto)");
    return given;
  }
  if (isCryptoKey(given)) {
    if (given.type !== "public") throw invalid("publicKey", `a ${given.type} CryptoKey`, "the public key");
    return KeyObject.from(given);
  }
  if (typeof given === "string" || given instanceof Uint8Array) {
    throw invalid(
      "publicKey",
      typeof given === "string" ? "text" : "bytes",
      "a public KeyObject, CryptoKey or JWK, not text or bytes (bytes would be used as an HMAC secret): use createPublicKey(pem) from node:crypto",
    );
  }
  if (isJwk(given)) {
    if (given.kty === "oct") throw invalid("publicKey", 'a symmetric JWK (kty "oct")', "a public key; give a shared secret as `secret`");
    if (given.d !== undefined) throw invalid("publicKey", "a private JWK (it has `d`)", "a public JWK: give the public part only");
    try {
      return createPublicKey({ key: given as JsonWebKey, format: "jwk" });
    } catch (err: unknown) {
      throw invalid("publicKey", `a JWK node:crypto refuses (${err instanceof Error ? err.message : String(err)})`, "a usable public JWK");
    }
  }
  throw invalid("publicKey", given === null ? "null" : typeof given, "a public KeyObject, CryptoKey or JWK");
}

/** Refuses a JWKS that holds symmetric or private keys (it is published: it must hold public keys only). */
function checkJwks(jwks: JSONWebKeySet): void {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray(jwks.keys))
    throw invalid("jwks", jwks === null ? "null" : typeof jwks !== "object" ? typeof jwks : "an object without a keys array", "{keys: JWK[]}");
  jwks.keys.forEach((k, i) => {
    if (!isJwk(k)) throw invalid(`jwks.keys[${i}]`, "a value without kty", "a JWK");
    if (k.kty === "oct") throw invalid(`jwks.keys[${i}]`, 'a symmetric key (kty "oct")', "a public key: a JWKS holds public keys only");
    if (k.d !== undefined) throw invalid(`jwks.keys[${i}]`, "a private key (it has `d`)", "a public key: publish the public part only");
  });
}

/**
 * The algorithms to accept: the key's own, narrowed to `requested` when given. A requested
 * algorithm the key cannot verify is a configuration mistake, refused here (not at the
 * first request).
 */
function pin(allowed: readonly string[], requested: readonly string[] | undefined, what: string): readonly string[] {
  if (requested === undefined) return allowed;
  if (requested.length === 0) throw invalid("algorithms", "[]", "a non-empty list, or left out to accept what the key allows");
  const bad = requested.filter((a) => !allowed.includes(a));
  if (bad.length > 0) throw invalid("algorithms", bad.join(", "), `some of ${allowed.join(", ")} (${bad.join(", ")} cannot be verified with ${what})`);
  return [...requested];
}

/** True when `parse` accepts the bytes (it throws on anything that is not that format). */
function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

/** True for DER key material: an SPKI / PKCS#1 public key, a PKCS#8 / PKCS#1 / SEC1 private key, or an X.509 certificate. */
function isDerKey(der: Buffer): boolean {
  if (der.length < 16 || der[0] !== 0x30) return false; // every one of these is an ASN.1 SEQUENCE
  return (
    (["spki", "pkcs1"] as const).some((type) => parses(() => createPublicKey({ key: der, format: "der", type }))) ||
    (["pkcs8", "pkcs1", "sec1"] as const).some((type) => parses(() => createPrivateKey({ key: der, format: "der", type }))) ||
    parses(() => new X509Certificate(der))
  );
}

/**
 * What key material a secret is, or undefined when it is none: PEM (a marker anywhere in
 * it), DER, a JWK's JSON text, or base64 / base64url / hex of DER (the body of a PEM).
 * jose would use any of them as an HMAC key, and a public one is known to everyone.
 */
function keyMaterialIn(secret: Uint8Array): string | undefined {
  const bytes = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
  const text = bytes.toString("latin1");
  if (text.includes("-----BEGIN") || parses(() => createPublicKey(bytes))) return "a PEM key or certificate";
  if (isDerKey(bytes)) return "a DER key or certificate";
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = undefined;
    }
    if (typeof json === "object" && json !== null && ("kty" in json || "keys" in json)) return "a JWK or JWKS (JSON)";
  }
  const compact = trimmed.replace(/\s+/g, "");
  if (/^[0-9a-fA-F]+$/.test(compact) && compact.length % 2 === 0 && isDerKey(Buffer.from(compact, "hex"))) return "hex of a DER key";
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    const encoding = /[-_]/.test(compact) ? "base64url" : "base64";
    if (isDerKey(Buffer.from(compact, encoding))) return "base64 of a DER key (a PEM body)";
  }
  return undefined;
}

/** The secret's bytes and the HS* algorithms it is long enough for, or a refusal. */
function resolveSecret(given: unknown, requested: readonly string[] | undefined): ResolvedKey {
  const secret = typeof given === "string" ? new TextEncoder().encode(given) : given;
  if (!(secret instanceof Uint8Array) || secret.length === 0)
    throw invalid("secret", secret instanceof Uint8Array ? "empty" : secret === null ? "null" : typeof secret, "a non-empty string or Uint8Array");
  const material = keyMaterialIn(secret);
  if (material !== undefined) {
    throw invalid(
      "secret",
      material,
      "a shared secret, not key material: give a public key as publicKey (createPublicKey(…) from node:crypto), a key set as jwks",
    );
  }
  const long = HMAC.filter((alg) => secret.length >= HMAC_MIN_BYTES[alg]);
  if (long.length === 0) throw invalid("secret", `${secret.length} bytes`, "at least 32 bytes for HS256 (RFC 7518 §3.2): use 32 or more random bytes");
  const short = (requested ?? []).filter((alg) => alg in HMAC_MIN_BYTES && !long.includes(alg as (typeof HMAC)[number]));
  if (short.length > 0) {
    const need = short.map((alg) => `${alg} ${HMAC_MIN_BYTES[alg as (typeof HMAC)[number]]}`).join(", ");
    throw invalid(
      "secret",
      `${secret.length} bytes`,
      `long enough for ${short.join(", ")} (at least the hash size, RFC 7518 §3.2: ${need}): give a longer secret or leave them out of algorithms`,
    );
  }
  return { key: secret, algorithms: pin(long, requested, "a shared secret") };
}

/** The value of an own, defined key source option (an inherited or undefined one is no source). */
function ownSource(opts: object, name: string): unknown {
  return Object.hasOwn(opts, name) ? (opts as Record<string, unknown>)[name] : undefined;
}

/** Resolves the one configured key source and the algorithms it may verify. */
export function resolveKey(opts: JwtKeySource & { algorithms?: readonly string[] }): ResolvedKey {
  // own, defined sources only: `secret: process.env.X` left undefined is no source, and a
  // source inherited through the prototype is never used
  const sources = (["secret", "publicKey", "jwks", "jwksUrl"] as const).filter((s) => ownSource(opts, s) !== undefined);
  if (sources.length !== 1)
    throw invalid("secret / publicKey / jwks / jwksUrl", sources.length === 0 ? "none" : sources.join(", "), "exactly one of secret, publicKey, jwks, jwksUrl");
  const source = sources[0]!;
  const value = ownSource(opts, source);
  const requested = ownSource(opts, "algorithms") as readonly string[] | undefined;
  if (source === "secret") return resolveSecret(value, requested);
  if (source === "publicKey") {
    const key = publicKeyObject(value);
    let allowed = algorithmsOfPublicKey(key);
    const jwkAlg = isJwk(value) ? value.alg : undefined;
    if (jwkAlg !== undefined) allowed = pin(allowed, [jwkAlg], `this ${String(key.asymmetricKeyType)} key`);
    return { key, algorithms: pin(allowed, requested, `a ${String(key.asymmetricKeyType)} public key`) };
  }
  if (source === "jwks") {
    const jwks = value as JSONWebKeySet;
    checkJwks(jwks);
    return { key: createLocalJWKSet(jwks), algorithms: pin(ASYMMETRIC, requested, "a JWKS (public keys only)") };
  }
  let url: URL;
  try {
    url = typeof value === "string" ? new URL(value) : value instanceof URL ? value : new URL(String(value));
  } catch {
    throw invalid("jwksUrl", String(value), "a URL");
  }
  return { key: createRemoteJWKSet(url), algorithms: pin(ASYMMETRIC, requested, "a JWKS (public keys only)") };
}

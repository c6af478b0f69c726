/**
 * Verification keys of the JWT verifier and the algorithms each may verify (spec/gateway.md
 * "Auth"). Key material must say what it is: a secret is only ever given as `secret` (HS*),
 * a public key only as a public KeyObject / CryptoKey / public JWK, a key set as a JWKS.
 * Bytes or text given as a public key are refused: jose reads a Uint8Array as an HMAC
 * secret, so a public PEM passed as a Buffer let anyone sign HS256 tokens with that public
 * (hence known) PEM. Each key type verifies only its own algorithms (RSA: RS* and PS*,
 * EC: the ES* of its curve, Ed25519: EdDSA), and HS* never verifies against a public key.
 */
import { KeyObject, createPublicKey, webcrypto, type JsonWebKey } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
import { createLocalJWKSet, createRemoteJWKSet } from "jose";
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from "jose";
import { InvalidRequestError } from "../../../generated/ts/errors.js";

/** Where the verification keys come from: exactly one. */
export type JwtKeySource =
  | { secret: string | Uint8Array }
  | { publicKey: KeyObject | CryptoKey | JWK }
  | { jwks: JSONWebKeySet }
  | { jwksUrl: string | URL };

/** What the verifier verifies with, and the algorithms it accepts. */
export interface ResolvedKey {
  readonly key: KeyObject | Uint8Array | JWTVerifyGetKey;
  readonly algorithms: readonly string[];
}

const HMAC = ["HS256", "HS384", "HS512"] as const;
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

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError(`createJwtVerifier: ${message}`);
}

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
      if (algs === undefined) throw invalid(`publicKey is an EC key on curve ${String(curve)}; expected P-256, P-384 or P-521`);
      return algs;
    }
    case "ed25519":
      return EDDSA;
    default:
      throw invalid(`publicKey is a ${String(key.asymmetricKeyType)} key; expected RSA, EC (P-256/384/521) or Ed25519`);
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
    if (given.type !== "public") throw invalid(`publicKey is a ${given.type} KeyObject; give the public key (createPublicKey(…))`);
    return given;
  }
  if (isCryptoKey(given)) {
    if (given.type !== "public") throw invalid(`publicKey is a ${given.type} CryptoKey; give the public key`);
    return KeyObject.from(given);
  }
  if (typeof given === "string" || given instanceof Uint8Array) {
    throw invalid("publicKey must be a public KeyObject, CryptoKey or JWK, not text or bytes (bytes would be used as an HMAC secret): use createPublicKey(pem) from node:crypto");
  }
  if (isJwk(given)) {
    if (given.kty === "oct") throw invalid('publicKey is a symmetric JWK (kty "oct"); give a shared secret as `secret`');
    if (given.d !== undefined) throw invalid("publicKey is a private JWK (it has `d`); give the public part only");
    try {
      return createPublicKey({ key: given as JsonWebKey, format: "jwk" });
    } catch (err: unknown) {
      throw invalid(`publicKey is not a usable public JWK: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw invalid("publicKey must be a public KeyObject, CryptoKey or JWK");
}

/** Refuses a JWKS that holds symmetric or private keys (it is published: it must hold public keys only). */
function checkJwks(jwks: JSONWebKeySet): void {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray(jwks.keys)) throw invalid("jwks must be {keys: JWK[]}");
  jwks.keys.forEach((k, i) => {
    if (!isJwk(k)) throw invalid(`jwks.keys[${i}] is not a JWK (no kty)`);
    if (k.kty === "oct") throw invalid(`jwks.keys[${i}] is a symmetric key (kty "oct"); a JWKS holds public keys only`);
    if (k.d !== undefined) throw invalid(`jwks.keys[${i}] is a private key (it has \`d\`); publish the public part only`);
  });
}

/**
 * The algorithms to accept: the key's own, narrowed to `requested` when given. A requested
 * algorithm the key cannot verify is a configuration mistake, refused here (not at the
 * first request).
 */
function pin(allowed: readonly string[], requested: readonly string[] | undefined, what: string): readonly string[] {
  if (requested === undefined) return allowed;
  if (requested.length === 0) throw invalid("algorithms is empty; leave it out to accept what the key allows");
  const bad = requested.filter((a) => !allowed.includes(a));
  if (bad.length > 0) throw invalid(`algorithms ${bad.join(", ")} cannot be verified with ${what}; expected some of ${allowed.join(", ")}`);
  return [...requested];
}

/** Resolves the one configured key source and the algorithms it may verify. */
export function resolveKey(opts: JwtKeySource & { algorithms?: readonly string[] }): ResolvedKey {
  const sources = (["secret", "publicKey", "jwks", "jwksUrl"] as const).filter((s) => Object.hasOwn(opts, s) && (opts as Record<string, unknown>)[s] !== undefined);
  if (sources.length !== 1) throw invalid(`give exactly one of secret, publicKey, jwks, jwksUrl (got ${sources.length === 0 ? "none" : sources.join(", ")})`);
  if ("secret" in opts) {
    const secret = typeof opts.secret === "string" ? new TextEncoder().encode(opts.secret) : opts.secret;
    if (!(secret instanceof Uint8Array) || secret.length === 0) throw invalid("secret must be a non-empty string or Uint8Array");
    if (new TextDecoder().decode(secret.subarray(0, 64)).includes("-----BEGIN")) {
      throw invalid("secret looks like a PEM key; give a public key as publicKey: createPublicKey(pem)");
    }
    return { key: secret, algorithms: pin(HMAC, opts.algorithms, "a shared secret") };
  }
  if ("publicKey" in opts) {
    const key = publicKeyObject(opts.publicKey);
    let allowed = algorithmsOfPublicKey(key);
    const jwkAlg = isJwk(opts.publicKey) ? opts.publicKey.alg : undefined;
    if (jwkAlg !== undefined) allowed = pin(allowed, [jwkAlg], `this ${String(key.asymmetricKeyType)} key`);
    return { key, algorithms: pin(allowed, opts.algorithms, `a ${String(key.asymmetricKeyType)} public key`) };
  }
  if ("jwks" in opts) {
    checkJwks(opts.jwks);
    return { key: createLocalJWKSet(opts.jwks), algorithms: pin(ASYMMETRIC, opts.algorithms, "a JWKS (public keys only)") };
  }
  let url: URL;
  try {
    url = typeof opts.jwksUrl === "string" ? new URL(opts.jwksUrl) : opts.jwksUrl;
  } catch {
    throw invalid(`jwksUrl ${String(opts.jwksUrl)} is not a URL`);
  }
  return { key: createRemoteJWKSet(url), algorithms: pin(ASYMMETRIC, opts.algorithms, "a JWKS (public keys only)") };
}

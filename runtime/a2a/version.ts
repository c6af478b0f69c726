/**
 * A2A-Version negotiation (spec: Versioning). An absent or empty header means 0.3; a
 * version matching a served Major.Minor is answered in it; anything else is refused with
 * VERSION_NOT_SUPPORTED.
 */
import { A2A_LEGACY_VERSION, A2A_PROTOCOL_VERSION } from "../../generated/a2a/index.js";
import { a2aErrors } from "./errors.js";

/** The protocol versions the server answers in. */
export type WireVersion = typeof A2A_PROTOCOL_VERSION | typeof A2A_LEGACY_VERSION;

/** Versions served, newest first. */
export const SERVED_VERSIONS: readonly WireVersion[] = [A2A_PROTOCOL_VERSION, A2A_LEGACY_VERSION];

/**
 * The version a request speaks, from its A2A-Version header value.
 * @throws A2aError VERSION_NOT_SUPPORTED for versions not served (or 0.3 when `legacy` is off).
 */
export function negotiateVersion(header: string | undefined, legacy = true): WireVersion {
  const raw = (header ?? "").trim();
  const served = legacy ? SERVED_VERSIONS : SERVED_VERSIONS.filter((v) => v !== A2A_LEGACY_VERSION);
  if (raw === "") {
    if (legacy) return A2A_LEGACY_VERSION;
    throw a2aErrors.versionNotSupported(A2A_LEGACY_VERSION, served);
  }
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(raw);
  const majorMinor = m ? `${m[1]}.${m[2]}` : raw;
  const found = served.find((v) => v === majorMinor);
  if (found === undefined) throw a2aErrors.versionNotSupported(raw, served);
  return found;
}

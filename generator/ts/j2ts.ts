/**
 * The one json-schema-to-typescript set-up every TypeScript declaration is written with, the
 * SDK's `ts/types.ts` and the agent contracts' `ts/<agent>.ts` alike.
 */
import { compile } from "json-schema-to-typescript";

/** A schema as json-schema-to-typescript takes it. */
export type J2tsSchema = Parameters<typeof compile>[0];

/** Declarations of `schema` named `name` (and of the types it references), without a banner. */
export function compileDeclarations(schema: J2tsSchema, name: string): Promise<string> {
  return compile(schema, name, {
    bannerComment: "",
    declareExternallyReferenced: true,
    unknownAny: true,
    strictIndexSignatures: false,
    additionalProperties: true,
    format: true,
    style: { singleQuote: false, printWidth: 110 },
  });
}

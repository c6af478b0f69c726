/**
 * loadOptional (bin/commands/usage.ts) with real failed imports: only an optional peer of
 * openagentio (package.json peerDependenciesMeta) turns into the exit-2 install message; any
 * other missing module is a bug or a broken install and surfaces unchanged.
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../bin/commands/invoke.js";
import { loadOptional } from "../../bin/commands/usage.js";

/** A real import() of a specifier that does not resolve (a variable: no static resolution). */
function importMissing(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

describe("loadOptional", () => {
  it("returns what load returns", async () => {
    await expect(loadOptional(["fastify"], async () => 42)).resolves.toBe(42);
  });

  it("a package that is not an optional peer is rethrown as it was", async () => {
    const err = await loadOptional(["fastify"], () => importMissing("oaio-no-such-package")).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UsageError);
    expect(String(err)).toContain("oaio-no-such-package");
  });

  it("a missing relative module is rethrown as it was", async () => {
    const err = await loadOptional(["fastify"], () => importMissing("./no-such-module.js")).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(UsageError);
  });
});

/**
 * The generated Kotlin SDK's Maven build writes inside its own folder: a vendored copy of
 * generated/kotlin compiles without creating anything next to or above the copy, and the
 * build output (kotlin/target) is not an "extra" file for `oaio generate --check`.
 * Runs Maven offline (`-o`) against the local repository the SDK build has filled.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkFiles } from "../../generator/generate.js";
import { loadIr } from "../../generator/ir/load.js";
import { emitKotlin } from "../../generator/kotlin/emitter.js";
import { packageRoot } from "../../generator/paths.js";

const ROOT = packageRoot();
const MAVEN_TIMEOUT_MS = 10 * 60_000;

describe("generated Kotlin SDK build folder", () => {
  const tmp = mkdtempSync(join(tmpdir(), "oaio-kotlin-vendored-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it(
    "a vendored copy compiles with output only inside the copy (kotlin/target), never two levels up",
    () => {
      const vendor = join(tmp, "vendor");
      mkdirSync(vendor);
      const copy = join(vendor, "kotlin");
      cpSync(join(ROOT, "generated", "kotlin"), copy, { recursive: true, filter: (src) => !src.endsWith("/target") });
      const r = spawnSync("mvn", ["-q", "-B", "-o", "compile"], { cwd: copy, encoding: "utf8", timeout: MAVEN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
      expect(r.status, `${r.stdout}${r.stderr}${r.error ?? ""}`.slice(-4000)).toBe(0);
      expect(readdirSync(tmp)).toEqual(["vendor"]);
      expect(readdirSync(vendor)).toEqual(["kotlin"]);
      expect(existsSync(join(copy, "target", "classes", "dev", "openagentio", "acp"))).toBe(true);
      // The build output is a tool cache for `oaio generate`: never reported (or deleted) as extra.
      expect(checkFiles(vendor, emitKotlin(loadIr(join(ROOT, "schema"))), ["kotlin"])).toEqual([]);
    },
    MAVEN_TIMEOUT_MS,
  );
});

/** The Kotlin namer and emitter on keywords and odd identifiers (no JVM needed). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadIr } from "../../generator/ir/load.js";
import { emitKotlin } from "../../generator/kotlin/emitter.js";
import { camelName, constName, kdoc, kotlinString, pascalName, uniqueNames } from "../../generator/kotlin/names.js";
import { jsPatternToJava } from "../../generator/kotlin/validator-emitter.js";
import { packageRoot } from "../../generator/paths.js";
import { writeKeywordFixture } from "./keyword-fixture.js";

describe("Kotlin namer", () => {
  it("camel-cases wire names and backticks hard keywords only", () => {
    expect(camelName("is_final")).toBe("isFinal");
    expect(camelName("reply_to")).toBe("replyTo");
    expect(camelName("from")).toBe("from");
    expect(camelName("value")).toBe("value");
    expect(camelName("class")).toBe("`class`");
    expect(camelName("when")).toBe("`when`");
    expect(camelName("1st")).toBe("_1st");
    expect(camelName("$weird key/with~chars")).toBe("weirdKeyWithChars");
    expect(camelName("")).toBe("value");
    expect(camelName("URL")).toBe("url");
  });

  it("makes type and constant names legal and away from stdlib names", () => {
    expect(pascalName("tool-result")).toBe("ToolResult");
    expect(pascalName("ErrorPayload")).toBe("ErrorPayload");
    expect(pascalName("Result")).toBe("ResultType");
    expect(pascalName("String")).toBe("StringType");
    expect(pascalName("1x")).toBe("T1x");
    expect(constName("input_required")).toBe("INPUT_REQUIRED");
    expect(constName("a-b")).toBe("A_B");
    expect(constName("1x")).toBe("_1X");
  });

  it("resolves collisions in order, against taken names too", () => {
    const names = uniqueNames(["is_final", "isFinal", "is-final", "unknownFields"], camelName, ["unknownFields"]);
    expect([...names.values()]).toEqual(["isFinal", "isFinal2", "isFinal3", "unknownFields2"]);
  });

  it("writes string literals without templates or raw control characters", () => {
    expect(kotlinString('a"$b\\\n\u0001é')).toBe('"a\\"\\$b\\\\\\n\\u0001\\u00e9"');
    expect(kdoc("x */ y /* z")).toBe("/** x *&#47; y &#47;* z */\n");
    expect(kdoc("")).toBe("");
  });

  it("translates ECMAScript patterns to java.util.regex with the same anchors", () => {
    expect(jsPatternToJava("^acp/\\d+\\.\\d+$")).toBe("^acp/\\d+\\.\\d+\\z");
    expect(jsPatternToJava("^[^.\\s*>]+$")).toBe("^[^.\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff*>]+\\z");
    expect(jsPatternToJava("a.b")).toBe("a[^\\n\\r\\u2028\\u2029]b");
  });
});

describe("Kotlin emitter on the keyword fixture", () => {
  const dir = mkdtempSync(join(tmpdir(), "oaio-kotlin-names-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeKeywordFixture(join(packageRoot(), "schema"), join(dir, "schema"));
  const files = new Map(emitKotlin(loadIr(join(dir, "schema"))).map((f) => [f.path.split("/").pop() ?? f.path, f.content]));
  const envelope = files.get("Envelope.kt") ?? "";
  const payloads = files.get("Payloads.kt") ?? "";
  const schema = files.get("AcpSchema.kt") ?? "";

  it("names envelope properties legally and uniquely, keeping wire names", () => {
    expect(envelope).toContain('@SerialName("class") public val `class`: String? = null');
    expect(envelope).toContain('@SerialName("is") public val `is`: Boolean? = null');
    expect(envelope).toContain('@SerialName("when") public val `when`: JsonObject? = null');
    expect(envelope).toContain('@SerialName("val") public val `val`: JsonElement? = null');
    expect(envelope).toContain('@SerialName("is_final") public val isFinal: Boolean? = null');
    expect(envelope).toContain('@SerialName("isFinal") public val isFinal2: String? = null');
    expect(envelope).toContain('@SerialName("1st") public val _1st: String? = null');
    expect(envelope).toContain('@SerialName("unknownFields") public val unknownFields2: String? = null');
    expect(envelope).toContain('@SerialName("\\$weird key/with~chars") public val weirdKeyWithChars: Long? = null');
    expect(envelope).toContain("A hard keyword. &#47;* nested comment *&#47; stays a comment.");
  });

  it("gives colliding enum values distinct entries", () => {
    expect(envelope).toContain("public enum class EnvelopeTypealias(public val wire: String)");
    for (const entry of ['A_B("a-b")', 'A_B2("A_B")', '_1X("1x")', 'CLASS("class")', 'X("\\$x")']) expect(envelope).toContain(entry);
  });

  it("names payload classes and fields away from keywords, members and stdlib types", () => {
    expect(payloads).toContain("public data class ResultType(");
    expect(payloads).toContain('@SerialName("object") public val `object`: String? = null');
    expect(payloads).toContain('@SerialName("in") public val `in`: Interface? = null');
    expect(payloads).toContain('@SerialName("copy") public val copy2: Double? = null');
    expect(payloads).toContain('@SerialName("fun-name") public val funName: Long? = null');
    expect(payloads).toContain('@SerialName("") public val value: String? = null');
    expect(payloads).toContain('@SerialName("this") public val `this`: Interface? = null');
    expect(payloads).toContain("public enum class InterfaceReturn(public val wire: String)");
  });

  it("escapes odd property names in JSON pointers of the validator", () => {
    expect(schema).toContain('p + "/\\$weird key~1with~0chars"');
  });
});

/** The shared renderer base (generator/render/code-writer.ts) the string-built emitters use. */
import { describe, expect, it } from "vitest";
import { codeWriter, docBlock, indentLines } from "../../generator/render/code-writer.js";

describe("code writer", () => {
  it("indents blocks by its unit from its starting depth, and restores the depth after a block", () => {
    const w = codeWriter(4, 1);
    w.line("# start");
    w.block("if x:", () => {
      expect(w.col).toBe(8);
      w.block("for y in z:", () => w.line("pass"));
      w.raw(["raw stays as given"]);
    });
    w.line("return None");
    expect(w.lines).toEqual(["    # start", "    if x:", "        for y in z:", "            pass", "raw stays as given", "    return None"]);
  });

  it("restores the depth when a block's body throws", () => {
    const w = codeWriter(2);
    expect(() =>
      w.block("a {", () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    w.line("b");
    expect(w.lines).toEqual(["a {", "b"]);
  });

  it("renders doc blocks on one line or as a block, trimming empty ' * ' lines", () => {
    expect(docBlock(["one"], "  ")).toBe("  /** one */");
    expect(docBlock(["one"], "", true)).toBe("/**\n * one\n */");
    expect(docBlock(["a", "", "b"], " ")).toBe(" /**\n  * a\n  *\n  * b\n  */");
    expect(indentLines(["x", "y"], "  ")).toEqual(["  x", "  y"]);
  });
});

/**
 * The golden corpus through the TypeScript decoder (ARCHITECTURE.md "Golden layout"):
 * valid → canonical bytes, invalid → {code, pointer} of its sidecar, v1 → decodes.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decode, encode, encodeCanonical } from "../../runtime/envelope/index.js";
import { REPO_ROOT } from "../helpers/cli.js";

const GOLDEN = join(REPO_ROOT, "golden");
const SIDECAR = ".expected.json";

function jsonFiles(dir: string): string[] {
  if (!existsSync(join(GOLDEN, dir))) return [];
  return readdirSync(join(GOLDEN, dir))
    .filter((f) => f.endsWith(".json") && !f.endsWith(SIDECAR))
    .sort();
}

function bytes(dir: string, file: string): Buffer {
  return readFileSync(join(GOLDEN, dir, file));
}

const valid = jsonFiles("valid");
const invalid = jsonFiles("invalid");
const v1 = jsonFiles("v1");

describe("golden/valid", () => {
  it("has samples", () => expect(valid.length).toBeGreaterThanOrEqual(40));

  it.each(valid)("%s decodes and encodes to golden/canonical byte for byte", (file) => {
    const result = decode(bytes("valid", file));
    if (!result.ok) expect.fail(result.error.message);
    const canonicalPath = join(GOLDEN, "canonical", file);
    expect(existsSync(canonicalPath), `golden/canonical/${file} is missing`).toBe(true);
    expect(Buffer.from(encodeCanonical(result.envelope)).equals(readFileSync(canonicalPath))).toBe(true);
  });

  it.each(valid)("%s survives decode → encode → decode with every field (unknown ones too)", (file) => {
    const first = decode(bytes("valid", file));
    if (!first.ok) expect.fail(first.error.message);
    const second = decode(encode(first.envelope));
    if (!second.ok) expect.fail(second.error.message);
    expect(Object.keys(second.envelope)).toEqual(Object.keys(first.envelope));
    expect(Buffer.from(encodeCanonical(second.envelope)).equals(Buffer.from(encodeCanonical(first.envelope)))).toBe(true);
  });

  it("every canonical file has a valid twin", () => {
    const canonical = readdirSync(join(GOLDEN, "canonical")).filter((f) => f.endsWith(".json"));
    expect(canonical.filter((f) => !valid.includes(f))).toEqual([]);
  });
});

describe("golden/invalid", () => {
  it("has samples", () => expect(invalid.length).toBeGreaterThanOrEqual(40));

  it.each(invalid)("%s is rejected with its sidecar's code and pointer", (file) => {
    const sidecarPath = join(GOLDEN, "invalid", file.replace(/\.json$/, SIDECAR));
    expect(existsSync(sidecarPath), `sidecar for ${file} is missing`).toBe(true);
    const expected = JSON.parse(readFileSync(sidecarPath, "utf8")) as { code: string; pointer: string };
    const result = decode(bytes("invalid", file));
    if (result.ok) expect.fail(`${file} decoded`);
    expect({ code: result.error.code, pointer: result.error.pointer }).toEqual({ code: expected.code, pointer: expected.pointer });
    expect(result.error.expected).not.toBe("");
    expect(result.error.got).not.toBe("");
  });
});

describe("golden/v1", () => {
  it("exists with samples", () => expect(v1.length).toBeGreaterThan(0));

  it.each(v1)("%s (as deployed SDKs write it) decodes", (file) => {
    const result = decode(bytes("v1", file));
    if (!result.ok) expect.fail(result.error.message);
    expect(result.envelope.schema_version).toBe(1);
  });
});

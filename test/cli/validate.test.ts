/** `oaio validate`: the real CLI (child process) for exit codes and stdin, runValidate in-process for the rest. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { createEnvelope, encode } from "../../runtime/envelope/index.js";
import { parseByteSize, runValidate } from "../../bin/commands/validate.js";
import type { ValidateOptions, ValidateReport } from "../../bin/commands/validate.js";
import { REPO_ROOT, runCli } from "../helpers/cli.js";

const fixed = { newId: () => "019ca8d7-2d7e-7a13-a05a-7d35c6194e63", now: () => "2026-03-01T10:00:00Z" };
const good = new TextDecoder().decode(encode(createEnvelope({ event_type: "agent.response.delta", seq: 1, payload: { delta: "x" } }, fixed)));
const badSeq = good.replace('"seq":1', '"seq":-1');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "oaio-validate-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(paths: string[], opts: ValidateOptions = {}, stdin: string | Buffer = "", isTTY = false) {
  let stdout = "";
  let stderr = "";
  const code = await runValidate(paths, opts, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY },
    stdin: Readable.from([Buffer.from(stdin)]),
  });
  return { code, stdout, stderr };
}

describe("oaio validate (child process)", () => {
  it("exits 0 on golden/valid and golden/v1", async () => {
    const r = await runCli(["validate", "golden/valid", "golden/v1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const count =
      readdirSync(join(REPO_ROOT, "golden", "valid")).length + readdirSync(join(REPO_ROOT, "golden", "v1")).filter((f) => f.endsWith(".json")).length;
    expect(r.stdout).toContain(`${count} envelopes in ${count} files: ${count} valid, 0 invalid`);
  });

  it("exits 1 on golden/invalid listing every expected code and pointer", async () => {
    const r = await runCli(["validate", "golden/invalid"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    const invalidDir = join(REPO_ROOT, "golden", "invalid");
    const sidecars = readdirSync(invalidDir).filter((f) => f.endsWith(".expected.json"));
    expect(sidecars.length).toBeGreaterThanOrEqual(40);
    for (const sidecar of sidecars) {
      const { code, pointer } = JSON.parse(readFileSync(join(invalidDir, sidecar), "utf8")) as { code: string; pointer: string };
      const file = `golden/invalid/${sidecar.replace(".expected.json", ".json")}`;
      const expectedStart = `${file}: ${code} ${pointer === "" ? '""' : pointer}: expected `;
      expect(
        lines.some((l) => l.startsWith(expectedStart)),
        expectedStart,
      ).toBe(true);
    }
    expect(r.stdout).toContain(`${sidecars.length} envelopes in ${sidecars.length} files: 0 valid, ${sidecars.length} invalid`);
  });

  it("reads one envelope from stdin, or NDJSON with --ndjson", async () => {
    expect((await runCli(["validate", "-"], { stdin: good })).code).toBe(0);
    const r = await runCli(["validate", "--ndjson", "-"], { stdin: `${good}\n${badSeq}\n` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("<stdin>:2: INVALID_REQUEST /seq: expected an integer from 0 to 2^53-1, got -1");
  });

  it("exits 2 for a missing file and for bad usage", async () => {
    const missing = await runCli(["validate", "golden/valid", "no/such/file.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no/such/file.json: ENOENT");
    expect((await runCli(["validate"])).code).toBe(2);
    expect((await runCli(["validate", "--max-file-size", "lots", "golden/valid"])).code).toBe(2);
  });

  it("refuses - given twice (standard input is read once) as a usage error: exit 2, nothing validated", async () => {
    for (const args of [
      ["validate", "-", "-"],
      ["validate", "--ndjson", "-", "golden/valid", "-"],
    ]) {
      const r = await runCli(args, { stdin: good });
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(r.stderr).toContain("oaio validate: - (standard input) is given 2 times; standard input can be read once: give - once");
    }
  });
});

describe("runValidate", () => {
  it("reports NDJSON defects by line number, skipping blank lines and accepting CRLF", async () => {
    const file = join(dir, "batch.ndjson");
    writeFileSync(file, Buffer.concat([Buffer.from(`${good}\r\n\n  \n${badSeq}\n{"truncated":\n`), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from(good)]));
    const r = await run([file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:4: INVALID_REQUEST /seq: expected an integer from 0 to 2^53-1, got -1`);
    expect(r.stdout).toContain(`${file}:5: CODEC_FAILURE "": expected exactly one JSON value`);
    expect(r.stdout).toContain(`${file}:6: CODEC_FAILURE "": expected valid UTF-8, got invalid UTF-8 at byte 1`);
    expect(r.stdout).toContain("5 envelopes in 1 file: 2 valid, 3 invalid");
  });

  it("reports an NDJSON line over --max-bytes without keeping it", async () => {
    const file = join(dir, "long.jsonl");
    writeFileSync(file, `${good}\n${"x".repeat(5000)}\n${good}\n`);
    const r = await run([file], { maxBytes: 4096 });
    expect(r.stdout).toContain(`${file}:2: CODEC_FAILURE "": expected at most 4096 bytes, got 5000 bytes`);
    expect(r.code).toBe(1);
  });

  it("walks directories recursively, taking .json/.ndjson/.jsonl and skipping sidecars", async () => {
    const root = join(dir, "tree");
    mkdirSync(join(root, "a", "b"), { recursive: true });
    writeFileSync(join(root, "one.json"), good);
    writeFileSync(join(root, "one.expected.json"), '{"code":"X"}');
    writeFileSync(join(root, "notes.txt"), "not json");
    writeFileSync(join(root, "a", "b", "deep.json"), badSeq);
    writeFileSync(join(root, "a", "lines.jsonl"), `${good}\n${good}\n`);
    const r = await run([root], { json: true });
    const report = JSON.parse(r.stdout) as ValidateReport;
    expect(report).toMatchObject({ files: 3, envelopes: 4, valid: 3, invalid: 1, ioErrors: [] });
    expect(report.findings).toEqual([
      { file: join(root, "a", "b", "deep.json"), code: "INVALID_REQUEST", pointer: "/seq", expected: "an integer from 0 to 2^53-1", got: "-1" },
    ]);
    expect(r.code).toBe(1);
  });

  it("refuses a file over --max-file-size with exit 2, naming the limit and the flag", async () => {
    const file = join(dir, "big.ndjson");
    writeFileSync(file, `${good}\n`.repeat(20));
    const r = await run([file], { maxFileSize: 1024 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/big\.ndjson: \d+ bytes, over the 1024-byte limit .*--max-file-size/);
    const stdin = await run(["-"], { maxFileSize: 16 }, good);
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain("over the 16-byte limit");
  });

  it("reports a JSON file over the envelope size limit as CODEC_FAILURE (exit 1)", async () => {
    const file = join(dir, "large.json");
    writeFileSync(file, `{"pad":"${"x".repeat(2000)}"}`);
    const r = await run([file], { maxBytes: 1000, json: true });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as ValidateReport).findings[0]).toMatchObject({ code: "CODEC_FAILURE", pointer: "", got: "2010 bytes" });
  });

  it("prints a progress line for batches over 5000 envelopes with --progress (and not by default off a TTY)", async () => {
    const file = join(dir, "many.ndjson");
    writeFileSync(file, `${good}\n`.repeat(6000));
    const withProgress = await run([file], { progress: true });
    expect(withProgress.code).toBe(0);
    expect(withProgress.stderr).toMatch(/validated \d+ envelopes/);
    expect((await run([file])).stderr).toBe("");
    const tty = await run([file], {}, "", true);
    expect(tty.stderr).toContain("\r");
  });

  it("--quiet prints only problems", async () => {
    const file = join(dir, "q.json");
    writeFileSync(file, good);
    expect(await run([file], { quiet: true })).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

describe("parseByteSize", () => {
  it("reads plain and binary-suffixed sizes", () => {
    expect([parseByteSize("1024"), parseByteSize("64k"), parseByteSize("256MiB"), parseByteSize("1G")]).toEqual([1024, 65536, 268435456, 1073741824]);
    expect(() => parseByteSize("lots")).toThrow();
    expect(() => parseByteSize("0")).toThrow();
  });
});

describe("runValidate writing to a slow stream", () => {
  it("waits for drain, writes every finding in order, and leaves no listener behind", async () => {
    const chunks: string[] = [];
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        setImmediate(done);
      },
    });
    const before = ["drain", "close", "error"].map((e) => slow.listenerCount(e));
    const lines = 300;
    const code = await runValidate(
      ["-"],
      { ndjson: true },
      {
        stdout: slow,
        stderr: { write: () => true },
        stdin: Readable.from([Buffer.from(`${badSeq}\n`.repeat(lines))]),
      },
    );
    expect(code).toBe(1);
    const out = chunks.join("").split("\n");
    expect(out.filter((l) => l.startsWith("<stdin>:")).map((l) => Number(/^<stdin>:(\d+):/.exec(l)?.[1]))).toEqual(
      Array.from({ length: lines }, (_, i) => i + 1),
    );
    expect(out).toContain(`${lines} envelopes in 1 file: 0 valid, ${lines} invalid`);
    expect(["drain", "close", "error"].map((e) => slow.listenerCount(e))).toEqual(before);
  });
});

/**
 * The leak check of every test file (test/helpers/leaks.ts, run by test/setup/leak-check.ts):
 * real servers, sockets, timers and child processes are found and named, closing them clears
 * the finding, and a file that leaves a server open fails the vitest run.
 */
import { spawn } from "node:child_process";
import { createServer, connect, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expectNoLeaks, findLeaks, snapshotHandles } from "./leaks.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("findLeaks", () => {
  it("names a listening server, both ends of a connection, a child process and a timer; nothing once closed", async () => {
    const before = snapshotHandles();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => client.once("connect", resolve));
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    await new Promise<void>((resolve) => child.once("spawn", resolve));
    // Timers are counted, not named: another timer of the process may fire while the test
    // awaits, so the timer's own snapshot is taken with no await between it and the check.
    const beforeTimer = snapshotHandles();
    const timer = setTimeout(() => {}, 60_000);
    expect(findLeaks(beforeTimer).join("\n")).toMatch(/Timeout: \d+ -> \d+/);

    const leaks = findLeaks(before).join("\n");
    expect(leaks).toContain(`server listening on 127.0.0.1:${port}`);
    expect(leaks).toContain(`-> 127.0.0.1:${port}`);
    expect(leaks).toContain(`child process ${child.pid}`);
    expect(leaks).toMatch(/TCPServerWrap: \d+ -> \d+/);
    expect(leaks).toMatch(/TCPSocketWrap: \d+ -> \d+/);
    expect(leaks).toMatch(/ProcessWrap: \d+ -> \d+/);
    await expect(expectNoLeaks(before, 100)).rejects.toThrow(/left open .*server listening on 127\.0\.0\.1/);

    clearTimeout(timer);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill();
    await exited;
    client.destroy();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    await expectNoLeaks(before);
    expect(findLeaks(before)).toEqual([]);
  });
});

/** Runs vitest on the test/fixtures/leaky files whose name contains `filter`; its exit code and output. */
async function runFixture(filter: string): Promise<{ code: number | null; out: string }> {
  const vitest = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/leaky/vitest.config.ts", filter], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  vitest.stdout.on("data", (b: Buffer) => (out += b.toString()));
  vitest.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => vitest.once("close", resolve));
  return { code, out };
}

describe("the setup file", () => {
  it("fails a test file that leaves a server open, naming the server", async () => {
    const { code, out } = await runFixture("server.leaky");
    expect(out).toContain("server.leaky.ts");
    expect(out).toMatch(/left open .*TCPServerWrap: \d+ -> \d+.*server listening on 127\.0\.0\.1:\d+/s);
    expect(code).toBe(1);
  }, 120_000);

  it("a test that times out while runProcess's child runs leaves no child behind (runProcess kills it when the test ends)", async () => {
    const { code, out } = await runFixture("abandoned-child.leaky");
    expect(out).toContain("abandoned-child.leaky.ts");
    expect(out).not.toContain("left open");
    expect(code, out).toBe(0);
  }, 120_000);
});

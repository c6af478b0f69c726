/**
 * SSRF guard: every address form is classified (ipaddr.js plus explicit checks of the IPv6
 * forms that embed IPv4), the host is resolved once per check, and webhook delivery connects
 * to exactly the address that was checked. No DNS server runs here, so rebinding is driven by
 * the guard's resolver seam (`resolve`, a real option of the server): a function answering
 * differently on each call, as a rebinding DNS server does. The receivers are real HTTP
 * servers on 127.0.0.2 ("the checked address") and 127.0.0.1 ("the rebinding target").
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { tmpdir } from "node:os";
import { createSecureContext } from "node:tls";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryPushConfigStore, createPushDelivery } from "../../runtime/a2a/index.js";
import { checkWebhookUrl, classifyAddress, isPrivateAddress, resolveWebhookTarget, type WebhookGuardOptions } from "../../runtime/a2a/ssrf.js";
import { postToTarget } from "../../runtime/a2a/webhook-post.js";
import { startA2aServer } from "../../runtime/a2a/index.js";
import { serveDemoAgent } from "../../bin/a2a/conformance/index.js";
import { rpc, rpcResult, userText } from "../../bin/a2a/conformance/http.js";
import { createBus } from "../../runtime/bus/index.js";
import { createMemoryTransport } from "../../runtime/transport/index.js";
import type { StreamResponse } from "../../generated/a2a/index.js";

describe("address classification", () => {
  const table: [string, boolean, RegExp?][] = [
    // IPv4
    ["8.8.8.8", true],
    ["93.184.216.34", true],
    ["172.32.0.1", true],
    ["127.0.0.1", false, /loopback/],
    ["127.255.255.254", false],
    ["10.1.2.3", false, /private/],
    ["172.16.0.1", false],
    ["192.168.0.1", false],
    ["169.254.169.254", false, /linkLocal/],
    ["100.64.0.1", false, /carrierGradeNat/],
    ["0.0.0.0", false],
    ["255.255.255.255", false],
    ["224.0.0.1", false],
    ["240.0.0.1", false],
    ["192.0.0.8", false],
    ["192.0.2.1", false],
    ["198.18.0.1", false],
    ["198.51.100.7", false],
    ["203.0.113.9", false],
    // IPv6 native
    ["2606:4700:4700::1111", true],
    ["2a00:1450:4001:81b::200e", true],
    ["::1", false, /loopback/],
    ["::", false, /unspecified/],
    ["fe80::1", false],
    ["fe80::1%eth0", false],
    ["fd00::1", false],
    ["fc00::1", false],
    ["ff02::1", false],
    ["2001:db8::1", false],
    ["100::1", false],
    // IPv4-mapped: judged by the IPv4 address
    ["::ffff:127.0.0.1", false, /IPv4-mapped form of 127\.0\.0\.1 \(loopback\)/],
    ["::ffff:7f00:1", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:8.8.8.8", true],
    // IPv4-compatible (deprecated): refused whatever it embeds
    ["::127.0.0.1", false],
    ["::7f00:1", false, /IPv4-compatible form of 127\.0\.0\.1/],
    ["0:0:0:0:0:0:127.0.0.1", false],
    ["::a00:1", false],
    ["::8.8.8.8", false],
    ["::808:808", false],
    // IPv4-translated (SIIT)
    ["::ffff:0:127.0.0.1", false, /IPv4-translated form of 127\.0\.0\.1/],
    ["::ffff:0:8.8.8.8", false],
    // 6to4: judged by the embedded IPv4 address
    ["2002:7f00:1::", false, /6to4 form of 127\.0\.0\.1 \(loopback\)/],
    ["2002:7f00:0001:0:0:0:0:1", false],
    ["2002:a00:1::1", false],
    ["2002:c0a8:101::1", false],
    ["2002:808:808::1", true],
    // NAT64 well-known prefix: judged by the embedded address; local-use prefix refused
    ["64:ff9b::127.0.0.1", false, /NAT64 form of 127\.0\.0\.1/],
    ["64:ff9b::7f00:1", false],
    ["64:ff9b::a9fe:a9fe", false],
    ["64:ff9b::8.8.8.8", true],
    ["64:ff9b:1::8.8.8.8", false, /local-use NAT64/],
    // Teredo
    ["2001::1", false, /Teredo/],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", false],
    // not addresses
    ["not-an-ip", false],
    ["127.1", false],
    ["", false],
  ];
  it.each(table)("%s → public %s", (ip, expected, reason) => {
    const verdict = classifyAddress(ip);
    expect(verdict.public).toBe(expected);
    expect(isPrivateAddress(ip)).toBe(!expected);
    if (reason !== undefined) expect(verdict.reason).toMatch(reason);
  });

  it("allowHosts matches the URL's host only; allowAddresses lets a name resolve to listed addresses", async () => {
    const resolve = async (): Promise<string[]> => ["127.0.0.1"];
    await expect(checkWebhookUrl("http://hook.test/h", { allowHosts: ["127.0.0.1"], resolve })).rejects.toMatchObject({ reason: "INVALID_PARAMS" });
    await expect(checkWebhookUrl("http://hook.test/h", { allowAddresses: ["127.0.0.0/8"], resolve })).resolves.toBeUndefined();
    await expect(checkWebhookUrl("http://hook.test/h", { allowAddresses: ["127.0.0.2"], resolve })).rejects.toMatchObject({ reason: "INVALID_PARAMS" });
    await expect(
      checkWebhookUrl("http://hook.test/h", { allowAddresses: ["::ffff:127.0.0.1"], resolve: async () => ["::ffff:7f00:1"] }),
    ).resolves.toBeUndefined();
  });

  it("refuses URL literals of every loopback form", async () => {
    for (const host of [
      "127.0.0.1",
      "0x7f.1",
      "2130706433",
      "[::1]",
      "[::ffff:127.0.0.1]",
      "[::7f00:1]",
      "[::ffff:0:7f00:1]",
      "[2002:7f00:1::]",
      "[64:ff9b::7f00:1]",
    ]) {
      await expect(checkWebhookUrl(`http://${host}:8080/hook`), host).rejects.toMatchObject({ reason: "INVALID_PARAMS" });
    }
    await expect(checkWebhookUrl("http://[2606:4700:4700::1111]/hook")).resolves.toBeUndefined();
  });
});

interface Receiver {
  readonly server: Server;
  readonly hits: { host: string | undefined; body: string }[];
}

async function receiver(address: string, port: number): Promise<Receiver> {
  const hits: Receiver["hits"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push({ host: req.headers.host, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, resolve);
  });
  return { server, hits };
}

/** Two receivers on the same port: 127.0.0.2 (the checked address) and 127.0.0.1 (where a second lookup would go). */
async function receiverPair(): Promise<{ checked: Receiver; loopback: Receiver; port: number }> {
  for (let tries = 0; ; tries++) {
    const checked = await receiver("127.0.0.2", 0);
    const port = (checked.server.address() as AddressInfo).port;
    try {
      return { checked, loopback: await receiver("127.0.0.1", port), port };
    } catch (err) {
      await new Promise<void>((resolve) => checked.server.close(() => resolve()));
      if (tries > 10) throw err;
    }
  }
}

const event = (n: number): StreamResponse =>
  ({
    statusUpdate: { taskId: "t1", contextId: "c1", status: { state: "TASK_STATE_WORKING", timestamp: `2026-01-01T00:00:0${n}Z` } },
  }) as unknown as StreamResponse;

async function deliverSix(
  url: string,
  guard: WebhookGuardOptions,
): Promise<{ givenUp: string[]; stats: { delivered: number; attempts: number; givenUp: number } }> {
  const store = createMemoryPushConfigStore();
  await store.set({ id: "cfg", taskId: "t1", url });
  const givenUp: string[] = [];
  const delivery = createPushDelivery({ store, guard, maxAttempts: 1, backoffMs: 1, onGiveUp: (i) => givenUp.push(i.reason) });
  for (let n = 0; n < 6; n++) await delivery.notify("t1", event(n));
  await delivery.idle();
  const stats = delivery.stats();
  await delivery.close();
  await store.close();
  return { givenUp, stats };
}

describe("webhook delivery connects to the checked address", () => {
  let pair: Awaited<ReturnType<typeof receiverPair>>;
  beforeAll(async () => {
    pair = await receiverPair();
  });
  afterAll(async () => {
    for (const r of [pair.checked, pair.loopback]) {
      r.server.closeAllConnections();
      await new Promise<void>((resolve) => r.server.close(() => resolve()));
    }
  });

  it("uses the resolver's one answer for the connection, never a second lookup (Host still names the host)", async () => {
    pair.checked.hits.length = 0;
    pair.loopback.hits.length = 0;
    let calls = 0;
    // the system resolver would answer 127.0.0.1 for localhost; the checked answer is 127.0.0.2
    const guard: WebhookGuardOptions = {
      allowHosts: ["localhost"],
      resolve: async () => {
        calls++;
        return ["127.0.0.2"];
      },
    };
    const { stats } = await deliverSix(`http://localhost:${pair.port}/hook`, guard);
    expect(stats).toEqual({ delivered: 6, attempts: 6, givenUp: 0 });
    expect(calls).toBe(6); // one resolution per attempt
    expect(pair.checked.hits).toHaveLength(6);
    expect(pair.checked.hits.every((h) => h.host === `localhost:${pair.port}`)).toBe(true);
    expect(pair.loopback.hits).toHaveLength(0);
  });

  it("a rebinding resolver (allowed address first, loopback after) never reaches loopback: later attempts are refused", async () => {
    pair.checked.hits.length = 0;
    pair.loopback.hits.length = 0;
    let calls = 0;
    const guard: WebhookGuardOptions = { allowAddresses: ["127.0.0.2/32"], resolve: async () => (calls++ === 0 ? ["127.0.0.2"] : ["127.0.0.1"]) };
    const { givenUp, stats } = await deliverSix(`http://rebind.test:${pair.port}/hook`, guard);
    expect(pair.loopback.hits).toHaveLength(0);
    expect(pair.checked.hits).toHaveLength(1);
    expect(pair.checked.hits[0]!.host).toBe(`rebind.test:${pair.port}`);
    expect(stats).toEqual({ delivered: 1, attempts: 1, givenUp: 5 });
    expect(givenUp).toHaveLength(5);
    for (const reason of givenUp) expect(reason).toContain("rebind.test resolves to a non-public address (127.0.0.1: loopback); refused (SSRF guard)");
  });

  it("one answer with a public and a loopback address is refused as a whole", async () => {
    pair.loopback.hits.length = 0;
    const guard: WebhookGuardOptions = { resolve: async () => ["8.8.8.8", "::ffff:127.0.0.1"] };
    const { givenUp, stats } = await deliverSix(`http://mixed.test:${pair.port}/hook`, guard);
    expect(stats).toEqual({ delivered: 0, attempts: 0, givenUp: 6 });
    expect(givenUp[0]).toContain("(::ffff:127.0.0.1: IPv4-mapped form of 127.0.0.1 (loopback))");
    expect(pair.loopback.hits).toHaveLength(0);
  });
});

describe("https webhooks pinned to the checked address", () => {
  it("send SNI for the host name (not the address) and check the certificate against it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oaio-ssrf-tls-"));
    try {
      // a certificate for another name: the client must refuse it after naming webhook.test
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=other.test",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      const creds = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
      const sni: string[] = [];
      let requests = 0;
      const server = createTlsServer(
        {
          ...creds,
          SNICallback: (name, cb) => {
            sni.push(name);
            cb(null, createSecureContext(creds));
          },
        },
        (_req, res) => {
          requests++;
          res.writeHead(200).end();
        },
      );
      server.on("tlsClientError", () => undefined);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      const target = await resolveWebhookTarget(`https://webhook.test:${port}/hook`, { allowAddresses: ["127.0.0.1"], resolve: async () => ["127.0.0.1"] });
      expect(target).toMatchObject({ host: "webhook.test", address: "127.0.0.1", family: 4 });
      const err = await postToTarget(target, { "content-type": "application/json" }, "{}", AbortSignal.timeout(10_000)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|ERR_TLS_CERT_ALTNAME_INVALID/) });
      expect(sni).toEqual(["webhook.test"]);
      expect(requests).toBe(0);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the A2A server passes every webhooks guard option to the guard", () => {
  it("webhooks.allowAddresses lets a host name that resolves to a listed address take a config, and delivery reaches it", async () => {
    const hook = await receiver("127.0.0.1", 0);
    const port = (hook.server.address() as AddressInfo).port;
    const transport = createMemoryTransport();
    const agent = createBus({ agentId: "agent", transport });
    const bridge = createBus({ agentId: "bridge", transport });
    const demo = serveDemoAgent(agent, "demo");
    const server = await startA2aServer({
      bus: bridge,
      target: "demo",
      auth: "none",
      card: { name: "s", description: "d", version: "1" },
      heartbeatMs: 0,
      webhooks: { allowAddresses: ["127.0.0.1/32"], resolve: async () => ["127.0.0.1"] },
    });
    try {
      const url = `http://hook.test:${port}/h`;
      const sent = await rpcResult<{ task: { id: string } }>(server.url, "SendMessage", {
        message: userText("hold"),
        configuration: { returnImmediately: true },
      });
      const taskId = sent["task"]["id"] as string;
      const created = await rpc(server.url, "CreateTaskPushNotificationConfig", { taskId, id: "c1", url });
      expect(created.error, "the config is accepted: hook.test resolves to an allowed address").toBeUndefined();
      await demo.waitHolding(1);
      demo.release();
      for (let i = 0; i < 500 && hook.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(hook.hits.length, "the webhook was delivered to the allowed address").toBeGreaterThan(0);
      expect(hook.hits[0]?.host).toBe(`hook.test:${port}`);
    } finally {
      await server.close();
      await demo.close();
      await agent.close();
      await bridge.close();
      await transport.close();
      await new Promise<void>((r) => hook.server.close(() => r()));
    }
  });
});

describe("addresses with a zone id", () => {
  it("are refused whatever they embed or scope (::8.8.8.8%lo was judged IPv4-mapped public)", async () => {
    for (const ip of ["::8.8.8.8%lo", "::ffff:8.8.8.8%lo", "::ffff:808:808%eth0", "2001:4860:4860::8888%1", "fe80::1%eth0", "64:ff9b::8.8.8.8%lo"]) {
      expect({ ip, verdict: classifyAddress(ip) }).toEqual({ ip, verdict: { public: false, reason: "scoped to an interface (zone id)" } });
      expect(isPrivateAddress(ip)).toBe(true);
    }
    // the unscoped forms are judged as before
    expect(classifyAddress("::ffff:8.8.8.8").public).toBe(true);
    expect(classifyAddress("2001:4860:4860::8888").public).toBe(true);
    // a resolver answering a scoped address: refused, also when the unscoped address is listed
    const scoped = { resolve: async () => ["2001:4860:4860::8888%lo"], allowAddresses: ["2001:4860:4860::8888"] };
    await expect(resolveWebhookTarget("https://hook.example/x", scoped)).rejects.toThrow(/2001:4860:4860::8888%lo: scoped to an interface \(zone id\)/);
  });
});

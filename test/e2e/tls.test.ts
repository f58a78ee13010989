// In-transit encryption end to end, on both drivers: a TLS instance (STANDARD_HA) and a TLS
// cluster, each with its own CA. Real clients (redis-cli --tls --cacert, ioredis, node-redis)
// connect with the CA alone and verify the address they dialled; plaintext is refused, a wrong
// CA or a wrong name fails; replication (and the cluster bus) run over TLS; a failover keeps
// TLS; a CA rotation under a client reconnecting in a loop has no failed handshake.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { createClient } from "redis";
import { createCertificateAuthority } from "@cacheplane/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVERS, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { waitFor } from "../support/processes.js";

const LOC = "/v1/projects/default/locations/local1";
const run = promisify(execFile);

/** An ioredis client that fails fast, over TLS with `ca` (or plaintext without). */
function client(host: string, port: number, ca?: string, servername?: string) {
  const redis = new Redis({
    host,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
    ...(ca ? { tls: { ca, ...(servername ? { servername } : {}) } } : {}),
  });
  redis.on("error", () => undefined);
  return redis;
}

/** PING over a fresh connection: "PONG", or the error that stopped it. */
async function ping(host: string, port: number, ca?: string, servername?: string): Promise<string> {
  const redis = client(host, port, ca, servername);
  try {
    await redis.connect();
    return await redis.ping();
  } catch (error) {
    return `error: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

/** A TLS handshake and a PING on a raw socket, reporting why it failed (ioredis hides TLS errors). */
function handshake(host: string, port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ca, ...(servername ? { servername } : {}) });
    const done = (answer: string) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done("timeout"));
    socket.once("secureConnect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => done(chunk.toString().trim()));
    socket.once("error", (error) => done(`error: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
  });
}

/** A plaintext PING: a TLS-only port answers nothing and closes. */
function plaintextPing(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = new net.Socket();
    const done = (answer: string) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done("timeout"));
    socket.connect(port, host, () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => done(chunk.toString("latin1").trim().slice(0, 20)));
    socket.once("error", (error) => done(`error: ${(error as NodeJS.ErrnoException).code}`));
    socket.once("close", () => done("closed"));
  });
}

const pems = (cas: { cert: string }[]) => cas.map((c) => c.cert).join("");

/**
 * A client reconnecting in a loop through `host:port`, as an application holding every CA the
 * API has published does: `published()` is polled, CAs are only ever added to what it trusts.
 */
function reconnectingClient(host: string, port: number, published: () => Promise<string[]>) {
  const trusted = new Set<string>();
  let ok = 0;
  const failures: string[] = [];
  let stopped = false;
  const poll = (async () => {
    while (!stopped) {
      for (const pem of await published()) trusted.add(pem);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const loop = (async () => {
    while (trusted.size === 0) await new Promise((r) => setTimeout(r, 5));
    while (!stopped) {
      const answer = await handshake(host, port, [...trusted].join(""));
      if (answer === "+PONG") ok++;
      else failures.push(answer);
    }
  })();
  return {
    get ok() {
      return ok;
    },
    failures,
    async stop() {
      stopped = true;
      await Promise.all([poll, loop]);
    },
  };
}

describe.each(DRIVERS)("TLS in transit with the %s driver", (driver) => {
  let cp: TestControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane({ driver });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  describe("an instance", () => {
    const BASE = `${LOC}/instances`;
    let instance: any;
    let ca: string;
    const get = async () => (await cp.api("GET", `${BASE}/tls-ha`)).body;

    it("is created with its own CA; the endpoint speaks TLS only and verifies its address", async () => {
      const created = await cp.api("POST", `${BASE}?instanceId=tls-ha`, {
        tier: "STANDARD_HA",
        memorySizeGb: 1,
        replicaCount: 1,
        transitEncryptionMode: "SERVER_AUTHENTICATION",
      });
      expect(created.status).toBe(200);
      const op = await cp.waitOperation(created.body.name, 60);
      expect(op.error).toBeUndefined();
      expect(op.response.serverCaCerts).toHaveLength(1);
      instance = await get();
      expect(instance).toMatchObject({ state: "READY", transitEncryptionMode: "SERVER_AUTHENTICATION" });
      expect(instance.serverCaCerts).toHaveLength(1);
      const [cert] = instance.serverCaCerts;
      expect(cert).toMatchObject({ serialNumber: expect.stringMatching(/^[0-9A-F]+$/), sha1Fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/) });
      expect(new Date(cert.expireTime).getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
      expect(JSON.stringify(instance)).not.toMatch(/PRIVATE KEY/);
      ca = cert.cert;

      // redis-cli with the CA alone.
      const caFile = join(cp.dataDir, "tls-ha-ca.pem");
      await writeFile(caFile, ca);
      const cli = await run("redis-cli", ["--tls", "--cacert", caFile, "-h", instance.host, "-p", String(instance.port), "SET", "via", "redis-cli"]);
      expect(cli.stdout.trim()).toBe("OK");
      // ioredis with tls: {ca}: Node checks the dialled IP against the certificate's subjectAltNames.
      const io = client(instance.host, instance.port, ca);
      await io.connect();
      expect(await io.get("via")).toBe("redis-cli");
      await io.set("via", "ioredis");
      io.disconnect();
      // node-redis, likewise.
      const nr = createClient({ socket: { host: instance.host, port: instance.port, tls: true, ca, connectTimeout: 2_000, reconnectStrategy: false } });
      await nr.connect();
      expect(await nr.get("via")).toBe("ioredis");
      await nr.quit();

      expect(await plaintextPing(instance.host, instance.port)).not.toBe("+PONG");
      expect(await ping(instance.host, instance.port)).toMatch(/^error/);
      const wrong = (await createCertificateAuthority({ commonName: "not this instance's CA" })).certPem;
      expect(await handshake(instance.host, instance.port, wrong)).toMatch(/error: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER)/);
      // The right CA but another name than the certificate's: refused as well.
      expect(await handshake(instance.host, instance.port, ca, "not-this-instance.example")).toBe("error: ERR_TLS_CERT_ALTNAME_INVALID");
    });

    it("replicates over TLS, keeps TLS through a failover, and backs up and restores over TLS", async () => {
      const replica = instance.nodes.find((n: any) => n.role === "REPLICA");
      const direct = client(replica.host, replica.port, ca);
      await direct.connect();
      await waitFor("the write to reach the replica", async () => (await direct.get("via")) === "ioredis");
      expect(await direct.config("GET", "tls-replication")).toEqual(["tls-replication", "yes"]);
      expect(await direct.info("replication")).toMatch(/master_link_status:up/);
      direct.disconnect();

      const failover = await cp.api("POST", `${BASE}/tls-ha:failover`, {});
      expect((await cp.waitOperation(failover.body.name, 60)).error).toBeUndefined();
      const after = await get();
      expect(after.nodes.find((n: any) => n.role === "PRIMARY").id).toBe(replica.id);
      const io = client(after.host, after.port, ca);
      await io.connect();
      expect(await io.get("via")).toBe("ioredis");
      await io.set("after", "failover");
      io.disconnect();
      expect(await plaintextPing(after.host, after.port)).not.toBe("+PONG");

      // A backup streams the dataset over the replication protocol, TLS here; restoring it
      // loads it in a loader node the primary syncs from, over TLS too.
      const backedUp = await cp.api("POST", `${BASE}/tls-ha:backup`, {});
      expect((await cp.waitOperation(backedUp.body.name, 60)).error).toBeUndefined();
      const [backup] = (await cp.api("GET", `${LOC}/backupCollections/-/backups`)).body.backups;
      const wipe = client(after.host, after.port, ca);
      await wipe.connect();
      await wipe.flushall();
      const imported = await cp.api("POST", `${BASE}/tls-ha:import`, { inputConfig: { managedBackupSource: { backup: backup.name } } });
      expect((await cp.waitOperation(imported.body.name, 60)).error).toBeUndefined();
      expect(await wipe.get("after")).toBe("failover");
      wipe.disconnect();
    });

    it("rotates its CA under a client reconnecting in a loop, with no failed handshake", async () => {
      const loop = reconnectingClient(instance.host, instance.port, async () => ((await get()).serverCaCerts ?? []).map((c: any) => c.cert));
      await waitFor("the loop to connect", async () => loop.ok > 5);
      const rotating = await cp.api("POST", `${BASE}/tls-ha:rotateServerCa`, {});
      expect(rotating.status).toBe(200);
      const op = await cp.waitOperation(rotating.body.name, 90);
      await new Promise((r) => setTimeout(r, 200));
      await loop.stop();
      expect(op.error).toBeUndefined();
      expect(loop.failures).toEqual([]);
      const after = await get();
      expect(after.serverCaCerts).toHaveLength(1);
      expect(after.serverCaCerts[0].serialNumber).not.toBe(instance.serverCaCerts[0].serialNumber);
      // Every node now serves the new CA's certificate; the old CA is no longer trusted.
      for (const node of after.nodes) {
        expect(await handshake(node.host, node.port, pems(after.serverCaCerts))).toBe("+PONG");
        expect(await handshake(node.host, node.port, ca)).toMatch(/^error/);
      }
      const replica = after.nodes.find((n: any) => n.role === "REPLICA");
      const direct = client(replica.host, replica.port, pems(after.serverCaCerts));
      await direct.connect();
      expect(await direct.info("replication")).toMatch(/master_link_status:up/);
      direct.disconnect();
      expect((await cp.api("GET", `${BASE}/tls-ha`)).body.state).toBe("READY");
    });

    it("refuses to change transitEncryptionMode after create", async () => {
      const patched = await cp.api("PATCH", `${BASE}/tls-ha?updateMask=transitEncryptionMode`, { transitEncryptionMode: "DISABLED" });
      expect(patched.status).toBe(400);
      expect(patched.body.error.status).toBe("FAILED_PRECONDITION");
      const deleted = await cp.api("DELETE", `${BASE}/tls-ha`);
      expect((await cp.waitOperation(deleted.body.name, 60)).error).toBeUndefined();
      expect(await cp.prisma.certificateAuthority.count({ where: { instanceUid: instance.nodes[0].id.replace(/-\d+$/, "") } })).toBe(0);
    });
  });

  describe("a cluster", () => {
    const BASE = `${LOC}/clusters`;
    let cluster: any;
    let ca: string;
    const get = async () => (await cp.api("GET", `${BASE}/tls-c`)).body;
    const authority = async () => (await cp.api("GET", `${BASE}/tls-c/certificateAuthority`)).body;
    const tlsCluster = (host: string, port: number, trust: string) =>
      new Cluster([{ host, port }], { redisOptions: { tls: { ca: trust }, connectTimeout: 2_000 }, clusterRetryStrategy: () => null });

    it("is created with its own CA: the cluster bus, replication and clients all speak TLS", async () => {
      const created = await cp.api("POST", `${BASE}?clusterId=tls-c`, {
        shardCount: 2,
        replicaCount: 1,
        nodeType: "REDIS_SHARED_CORE_NANO",
        transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
      });
      expect(created.status).toBe(200);
      expect((await cp.waitOperation(created.body.name, 90)).error).toBeUndefined();
      cluster = await get();
      expect(cluster.state).toBe("ACTIVE");
      const ca1 = await authority();
      expect(ca1.name).toBe("projects/default/locations/local1/clusters/tls-c/certificateAuthority");
      expect(ca1.managedServerCa.caCerts).toHaveLength(1);
      ca = ca1.managedServerCa.caCerts[0].certificates[0];
      const { address, port } = cluster.discoveryEndpoints[0];

      const client = tlsCluster(address, port, ca);
      for (let i = 0; i < 50; i++) await client.set(`k${i}`, String(i));
      expect(await client.get("k42")).toBe("42");
      await client.quit();
      const caFile = join(cp.dataDir, "tls-c-ca.pem");
      await writeFile(caFile, ca);
      const cli = await run("redis-cli", ["-c", "--tls", "--cacert", caFile, "-h", address, "-p", String(port), "GET", "k7"]);
      expect(cli.stdout.trim()).toBe("7");
      expect(await plaintextPing(address, port)).not.toBe("+PONG");
      const wrong = (await createCertificateAuthority({ commonName: "not this cluster's CA" })).certPem;
      expect(await handshake(address, port, wrong)).toMatch(/^error/);
      // Every node's own address is in its certificate: a cluster client reaches each by it.
      for (const node of cluster.shards.flatMap((s: any) => s.nodes)) expect(await handshake(node.host, node.port, ca)).toBe("+PONG");
    });

    it("keeps TLS through a shard failover, and rotates its CA with no failed handshake", async () => {
      const { address, port } = cluster.discoveryEndpoints[0];
      const failover = await cp.api("POST", `${BASE}/tls-c:failoverShard`, { shard: "0002" });
      expect((await cp.waitOperation(failover.body.name, 60)).error).toBeUndefined();

      const loop = reconnectingClient(address, port, async () => ((await authority()).managedServerCa?.caCerts ?? []).map((c: any) => c.certificates[0]));
      await waitFor("the loop to connect", async () => loop.ok > 5);
      const rotating = await cp.api("POST", `${BASE}/tls-c:rotateServerCa`, {});
      expect(rotating.status).toBe(200);
      const op = await cp.waitOperation(rotating.body.name, 90);
      await loop.stop();
      expect(op.error).toBeUndefined();
      expect(loop.failures).toEqual([]);
      const after = (await authority()).managedServerCa.caCerts.map((c: any) => c.certificates[0]);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(ca);

      const client = tlsCluster(address, port, after[0]);
      for (let i = 0; i < 50; i++) expect(await client.get(`k${i}`)).toBe(String(i));
      await client.quit();
      expect((await get()).state).toBe("ACTIVE");
      const patched = await cp.api("PATCH", `${BASE}/tls-c?updateMask=transit_encryption_mode`, { transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_DISABLED" });
      expect(patched.body.error?.status).toBe("FAILED_PRECONDITION");
    });
  });
});

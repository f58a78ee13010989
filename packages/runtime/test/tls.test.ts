// TLS nodes (NodeSpec.tls) with the process driver against real redis-server processes: TLS only
// on the node's port, the certificate observed from the handshake, a new trust bundle and a new
// certificate taken live, an RDB fetched over TLS; and the certificates themselves.
import { statSync } from "node:fs";
import net from "node:net";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { X509Certificate } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  caBundleDigest,
  connectAdmin,
  createCertificateAuthority,
  fetchRdb,
  issueNodeCertificate,
  NodeStartError,
  renderRedisConf,
  tlsFiles,
  type NodeSpec,
} from "../src/index.js";
import { testNodes, until } from "./helpers.js";

const nodes = testNodes();
afterAll(() => nodes.cleanup());

/** What a plaintext PING gets from a TLS-only port: never +PONG. */
const plaintext = (host: string, port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect({ host, port }, () => socket.write("PING\r\n"));
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString());
    });
    socket.once("error", () => resolve("error"));
    socket.once("close", () => resolve("closed"));
  });

describe("certificates", () => {
  it("signs node certificates for their addresses, usable by servers and cluster-bus clients", async () => {
    const ca = await createCertificateAuthority({ commonName: "test CA" });
    const leaf = await issueNodeCertificate({ ca, commonName: "node", ipAddresses: ["127.0.2.1", "127.0.0.1"], dnsNames: ["node.local"] });
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert) && cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe("IP Address:127.0.2.1, IP Address:127.0.0.1, DNS:node.local");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(leaf.notAfter.getTime()).toBeLessThanOrEqual(ca.notAfter.getTime());
  });

  it("renders a TLS node with no plaintext listener", () => {
    const conf = renderRedisConf({ id: "n-0", host: "127.0.2.1", port: 7000, dataDir: "/data", config: {}, tls: { caPem: "" } });
    expect(conf).toMatch(/^port 0$/m);
    expect(conf).toMatch(/^tls-port 7000$/m);
    for (const line of [
      "tls-cert-file /data/tls/node.crt",
      "tls-key-file /data/tls/node.key",
      "tls-auth-clients no",
      "tls-replication yes",
      "tls-cluster yes",
    ]) {
      expect(conf).toContain(line);
    }
    expect(conf).toMatch(/^tls-ca-cert-file \/data\/tls\/ca-[0-9a-f]{16}\.crt$/m);
  });
});

describe("a TLS node (process driver)", () => {
  it("serves TLS only, takes a new trust bundle and certificate live, and streams its RDB over TLS", async () => {
    const rt = nodes.runtime();
    const ca = await createCertificateAuthority({ commonName: "old CA" });
    const base = await nodes.spec();
    const issue = (by: typeof ca) => issueNodeCertificate({ ca: by, commonName: base.id, ipAddresses: [base.host] });
    // No certificate in the spec nor in the dir: the start is refused before anything runs.
    await expect(rt.start({ ...base, tls: { caPem: ca.certPem } })).rejects.toThrow(NodeStartError);

    const first = await issue(ca);
    const spec: NodeSpec = { ...base, tls: { caPem: ca.certPem, certPem: first.certPem, keyPem: first.keyPem } };
    await rt.start(spec);
    const files = tlsFiles(spec.dataDir, spec.tls!);
    expect(statSync(files.key).mode & 0o777).toBe(0o600);
    expect(await plaintext(spec.host, spec.port)).not.toMatch(/PONG/);
    const seen = await until(
      () => rt.observe({ ...base, tls: { caPem: ca.certPem } }),
      (o) => o.liveness === "running",
    );
    expect(seen.tls).toMatchObject({ issuer: ca.fingerprint256, serialNumber: first.serialNumber, addresses: [base.host], trust: caBundleDigest(ca.certPem) });

    // A second CA trusted beside the first, then a certificate from it: both live.
    const next = await createCertificateAuthority({ commonName: "new CA" });
    const both = ca.certPem + next.certPem;
    await rt.configure({ ...base, tls: { caPem: both } });
    expect((await rt.observe({ ...base, tls: { caPem: both } })).tls?.trust).toBe(caBundleDigest(both));
    const second = await issue(next);
    await rt.configure({ ...base, tls: { caPem: both, certPem: second.certPem, keyPem: second.keyPem } });
    const after = await rt.observe({ ...base, tls: { caPem: both } });
    expect(after.tls).toMatchObject({ issuer: next.fingerprint256, serialNumber: second.serialNumber });
    // A client trusting only the old CA is now refused; the new one is enough.
    await expect(connectAdmin({ host: base.host, port: base.port, tls: { ca: ca.certPem } })).rejects.toThrow();
    const admin = await connectAdmin({ host: base.host, port: base.port, tls: { ca: next.certPem } });
    await admin.set("k", "v");
    admin.disconnect();

    const dir = await mkdtemp(path.join(os.tmpdir(), "tls-rdb-"));
    try {
      const { bytes } = await fetchRdb({ host: base.host, port: base.port, tls: { ca: next.certPem } }, path.join(dir, "dump.rdb"));
      expect(bytes).toBeGreaterThan(0);
      expect((await readFile(path.join(dir, "dump.rdb"))).subarray(0, 5).toString()).toBe("REDIS");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await rt.destroy(spec);
  });
});

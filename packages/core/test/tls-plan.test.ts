import { describe, expect, it } from "vitest";
import { plan, type DesiredInstance, type ObservedNode } from "../src/plan.js";
import { nodeTlsDrift, rotationSteps, type CaRecord, type DesiredTls } from "../src/tls-plan.js";

const config = { maxmemory: "1073741824", requirepass: "", save: "" };
const VIP = "127.0.0.1";
const OLD: CaRecord = { uid: "ca-old", state: "ACTIVE", fingerprint: "AA", createTime: 1_000 };
const NEW: CaRecord = { uid: "ca-new", state: "TRUSTED", fingerprint: "BB", createTime: 5_000 };
const tls = (cas: CaRecord[], over: Partial<DesiredTls> = {}): DesiredTls => ({
  cas,
  trust: cas
    .map((c) => c.fingerprint)
    .sort()
    .join("+"),
  addresses: [VIP],
  renewBefore: 10_000,
  ...over,
});
const host = (ordinal: number) => `127.0.2.${ordinal + 1}`;
const node = (ordinal: number, seen: { issuer: string; trust: string; addresses?: string[]; validTo?: number }): ObservedNode => ({
  id: `u1-${ordinal}`,
  ordinal,
  zone: "local1-a",
  host: host(ordinal),
  port: 7000,
  state: "READY",
  liveness: "running",
  loading: false,
  config: { ...config },
  bind: ordinal === 0 ? [host(0), VIP] : [host(ordinal)],
  replication: ordinal === 0 ? { role: "primary", offset: 10 } : { role: "replica", primaryHost: host(0), primaryPort: 7000, linkUp: true, offset: 10 },
  tls: { addresses: seen.addresses ?? [host(ordinal), VIP], validTo: seen.validTo ?? 1e12, issuer: seen.issuer, trust: seen.trust },
});
const desired = (t: DesiredTls): DesiredInstance => ({
  uid: "u1",
  deleting: false,
  nodeCount: 2,
  zones: ["local1-a", "local1-b"],
  config,
  primaryId: "u1-0",
  endpointHost: VIP,
  highAvailability: true,
  maxLagBytes: 1e9,
  tls: t,
});

describe("tls plan", () => {
  it("makes the CA before anything else, and keeps nothing waiting on it", () => {
    expect(plan(desired(tls([])), []).steps).toEqual([{ kind: "createCa", activate: true }]);
  });

  it("issues a certificate to a node served by another CA, missing an address, or expiring", () => {
    const t = tls([OLD]);
    expect(nodeTlsDrift(t, node(0, { issuer: "AA", trust: "AA" }))).toBeUndefined();
    expect(nodeTlsDrift(t, node(0, { issuer: "ZZ", trust: "AA" }))).toBe("certificate");
    expect(nodeTlsDrift(t, node(0, { issuer: "AA", trust: "AA", addresses: [host(0)] }))).toBe("certificate");
    expect(nodeTlsDrift(t, node(0, { issuer: "AA", trust: "AA", validTo: 9_999 }))).toBe("certificate");
    expect(nodeTlsDrift(t, node(0, { issuer: "AA", trust: "XX" }))).toBe("trust");
  });

  it("rotates in order: trust the new CA everywhere, activate it, re-issue node by node, retire the old", () => {
    // Asked for: a new CA, trusted and published, not yet signing.
    const asked = tls([OLD], { rotationRequestedAt: 2_000 });
    const both = [node(0, { issuer: "AA", trust: "AA" }), node(1, { issuer: "AA", trust: "AA" })];
    expect(plan(desired(asked), both).steps).toEqual([{ kind: "createCa", activate: false }]);

    // 1. Every node loads the bundle of both before the new CA signs anything.
    const trusting = tls([OLD, NEW], { rotationRequestedAt: 2_000 });
    expect(plan(desired(trusting), both).steps).toEqual([
      { kind: "configureNode", nodeId: "u1-0", keys: ["tls-ca-cert-file"] },
      { kind: "configureNode", nodeId: "u1-1", keys: ["tls-ca-cert-file"] },
    ]);
    const trusted = [node(0, { issuer: "AA", trust: "AA+BB" }), node(1, { issuer: "AA", trust: "AA+BB" })];
    // 2. Then it becomes the ACTIVE one.
    expect(plan(desired(trusting), trusted).steps).toEqual([{ kind: "activateCa", caUid: "ca-new" }]);

    // 3. Nodes get its certificates one step at a time; the old CA stays trusted meanwhile.
    const swapped = tls(
      [
        { ...OLD, state: "TRUSTED" },
        { ...NEW, state: "ACTIVE" },
      ],
      { rotationRequestedAt: 2_000 },
    );
    expect(plan(desired(swapped), trusted).steps).toEqual([
      { kind: "issueCertificate", nodeId: "u1-0" },
      { kind: "issueCertificate", nodeId: "u1-1" },
    ]);
    const reissued = [node(0, { issuer: "BB", trust: "AA+BB" }), node(1, { issuer: "BB", trust: "AA+BB" })];
    // 4. Only when no node serves the old CA's certificate is it retired.
    expect(plan(desired(swapped), [reissued[0]!, trusted[1]!]).steps[0]).toEqual({ kind: "issueCertificate", nodeId: "u1-1" });
    expect(plan(desired(swapped), reissued).steps).toEqual([{ kind: "retireCa", caUids: ["ca-old"] }]);

    // Then the bundles drop it, and the rotation is done.
    const done = tls([{ ...NEW, state: "ACTIVE" }], { rotationRequestedAt: 2_000 });
    expect(plan(desired(done), reissued).steps[0]).toEqual({ kind: "configureNode", nodeId: "u1-0", keys: ["tls-ca-cert-file"] });
    const settled = [node(0, { issuer: "BB", trust: "BB" }), node(1, { issuer: "BB", trust: "BB" })];
    expect(plan(desired(done), settled).converged).toBe(true);
    expect(rotationSteps(done)).toEqual([]);
  });

  it("promotes a TRUSTED CA rather than making one when no CA is ACTIVE", () => {
    expect(plan(desired(tls([NEW])), []).steps).toEqual([{ kind: "activateCa", caUid: "ca-new" }]);
  });
});

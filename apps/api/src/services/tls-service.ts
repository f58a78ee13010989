// In-transit encryption in the api: the server CAs an instance shows (serverCaCerts) and a
// cluster's certificateAuthority, the refusal to change transitEncryptionMode after create, and
// :rotateServerCa (our addition), which asks the worker for a rotation (tls-plan.ts in core:
// the new CA is published and trusted before any node serves its certificate, the old one is
// retired only once none does). CA keys never leave the worker: only certificates are read here.
import { certificateAuthorityView, type CaCertRecord } from "@cacheplane/core";
import type { PrismaClient } from "@cacheplane/db";
import type { ServiceContext } from "../context.js";
import { ApiError, failedPrecondition } from "../errors.js";
import { deploymentName, findDeployment, type DeploymentKey, type DeploymentKind } from "./deployments.js";
import { mutation, openOperation, updateSpec } from "./mutations.js";
import { operationView } from "./operation-view.js";

/** Instances say SERVER_AUTHENTICATION, clusters TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION. */
export const isTlsSpec = (spec: unknown) =>
  /(^|_)SERVER_AUTHENTICATION$/.test(String((spec as { transitEncryptionMode?: string } | null)?.transitEncryptionMode ?? ""));

/** As Memorystore: the mode is chosen at create. A mask naming it is refused, whatever the value. */
export function refuseTransitEncryptionChange(updateMask: string) {
  const named = updateMask.split(",").some((p) => ["transitEncryptionMode", "transit_encryption_mode"].includes(p.trim()));
  if (named) throw failedPrecondition("transitEncryptionMode is set when the resource is created and cannot be changed");
}

/** The published (ACTIVE and TRUSTED) CAs of each TLS deployment among `rows`, one query. */
export async function serverCasOf(prisma: PrismaClient, rows: readonly { uid: string; spec: unknown }[]): Promise<Map<string, CaCertRecord[]>> {
  const uids = rows.filter((r) => isTlsSpec(r.spec)).map((r) => r.uid);
  const byUid = new Map<string, CaCertRecord[]>();
  if (uids.length === 0) return byUid;
  const cas = await prisma.certificateAuthority.findMany({
    where: { instanceUid: { in: uids }, state: { in: ["ACTIVE", "TRUSTED"] } },
    select: { instanceUid: true, serialNumber: true, certPem: true, createTime: true, expireTime: true },
  });
  for (const { instanceUid, ...ca } of cas) (byUid.get(instanceUid) ?? byUid.set(instanceUid, []).get(instanceUid)!).push(ca);
  return byUid;
}

export function createTlsService(ctx: ServiceContext) {
  const { prisma } = ctx;
  const what = (kind: DeploymentKind, key: DeploymentKey) => `${kind === "CLUSTER" ? "cluster" : "instance"} ${key.id}`;

  return {
    /** GET …/clusters/{c}/certificateAuthority (Memorystore for Redis Cluster). */
    async certificateAuthority(key: DeploymentKey) {
      const row = await findDeployment(prisma, ctx.locations, "CLUSTER", key);
      if (!isTlsSpec(row.spec))
        throw failedPrecondition(`${what("CLUSTER", key)} has transitEncryptionMode TRANSIT_ENCRYPTION_MODE_DISABLED: it has no certificate authority`);
      const cas = (await serverCasOf(prisma, [row])).get(row.uid) ?? [];
      return certificateAuthorityView(key.project, key.location, key.id, cas);
    },

    /** :rotateServerCa: a new generation the worker converges by rotating the CA; the Operation
     *  is done once the old CA is retired and every node serves the new one's certificate. */
    async rotate(kind: DeploymentKind, key: DeploymentKey, requestId?: string) {
      return mutation(prisma, key.project, requestId, async () => {
        const row = await findDeployment(prisma, ctx.locations, kind, key);
        if (row.deleteRequested) throw failedPrecondition(`${what(kind, key)} is being deleted`);
        if (!isTlsSpec(row.spec)) throw failedPrecondition(`${what(kind, key)} does not use in-transit encryption: it has no server CA to rotate`);
        const pending = await prisma.operation.count({ where: { instanceUid: row.uid, done: false, verb: "rotateServerCa" } });
        if (pending > 0) throw new ApiError("ABORTED", `a server CA rotation of ${what(kind, key)} is already in progress`);
        const op = await updateSpec(prisma, {
          row,
          spec: row.spec as object,
          fields: [],
          detail: "Rotating the server CA",
          event: { type: "CA_ROTATION_REQUESTED", message: "Server CA rotation requested" },
          open: (tx, statusDetail) =>
            openOperation(tx, {
              project: key.project,
              location: key.location,
              target: deploymentName(kind, key),
              instanceUid: row.uid,
              verb: "rotateServerCa",
              targetGeneration: row.generation + 1,
              requestId,
              statusDetail,
            }),
        });
        await ctx.enqueueReconcile(row.uid);
        return operationView(op);
      });
    },
  };
}
export type TlsService = ReturnType<typeof createTlsService>;

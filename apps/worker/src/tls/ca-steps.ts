// The TLS plan steps as I/O (see tls-plan.ts in core for their order). Each is idempotent: a CA
// made twice is not possible (the next pass sees the first), a state already set is set again,
// and a certificate issued twice is simply newer.
import type { Step } from "@cacheplane/core";
import { runtimeFor, type WorkerContext } from "../context.js";
import { nodeSpec } from "../reconcile/desired.js";
import type { StepInput } from "../reconcile/step-input.js";
import { createCa } from "./ca-store.js";
import { withIssuedCertificate } from "./deployment-tls.js";

type TlsStep = Extract<Step, { kind: "createCa" | "activateCa" | "retireCa" | "issueCertificate" }>;

export async function runTlsStep(ctx: WorkerContext, step: TlsStep, { row, config }: StepInput): Promise<void> {
  const event = (type: string, message: string) => ctx.prisma.event.create({ data: { instanceUid: row.uid, type, message } });
  switch (step.kind) {
    case "createCa": {
      const ca = await createCa(ctx, row, step.activate ? "ACTIVE" : "TRUSTED");
      await event(
        "CA_CREATED",
        step.activate ? `Certificate authority ${ca.serialNumber} created` : `Certificate authority ${ca.serialNumber} created and published for a rotation`,
      );
      return;
    }
    case "activateCa":
      await ctx.prisma.$transaction([
        ctx.prisma.certificateAuthority.updateMany({ where: { instanceUid: row.uid, state: "ACTIVE", NOT: { uid: step.caUid } }, data: { state: "TRUSTED" } }),
        ctx.prisma.certificateAuthority.updateMany({ where: { uid: step.caUid, instanceUid: row.uid }, data: { state: "ACTIVE" } }),
      ]);
      await event("CA_ACTIVATED", "The new certificate authority signs node certificates from now on");
      return;
    case "retireCa":
      await ctx.prisma.certificateAuthority.updateMany({
        where: { uid: { in: step.caUids }, instanceUid: row.uid, state: "TRUSTED" },
        data: { state: "RETIRED" },
      });
      await event("CA_RETIRED", `${step.caUids.length} certificate authority(ies) retired`);
      return;
    case "issueCertificate": {
      const node = row.nodes.find((n) => n.id === step.nodeId);
      if (!node) throw new Error(`node ${step.nodeId} is not recorded`);
      // configure() installs it and makes the running node serve it at once.
      await runtimeFor(ctx, node.driver).configure(await withIssuedCertificate(ctx, row, node, nodeSpec(row, node, config, ctx)));
      await event("CERTIFICATE_ISSUED", `Node ${node.id} serves a new certificate`);
      return;
    }
  }
}

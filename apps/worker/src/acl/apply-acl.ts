// The applyAcl step: every node that differs gets its users at once (core's acl-plan.ts decides
// who), each through the driver (ACL SETUSER / DELUSER, then ACL SAVE). Events name users only:
// ACL_APPLIED when users changed on the nodes, ACL_REJECTED when a node refused a user's rules
// (an engine without a command its access string names): that user is disabled on that node, not
// retried in a loop (the worker remembers the line, see applied-users.ts) and not half applied.
import type { NodeAclChange } from "@cacheplane/core";
import { runtimeFor, type WorkerContext } from "../context.js";
import { nodeSpec } from "../reconcile/desired.js";
import type { StepInput } from "../reconcile/step-input.js";
import { rememberApplied } from "./applied-users.js";
import type { WithAcl } from "./deployment-acl.js";

const list = (names: Iterable<string>) => [...new Set(names)].sort().join(", ");

export async function applyAcl(ctx: WorkerContext, input: StepInput & { row: WithAcl }, nodes: readonly NodeAclChange[]): Promise<void> {
  const { row, config } = input;
  const acl = row.acl;
  if (!acl) throw new Error("the deployment's users were not loaded");
  const outcomes = await Promise.allSettled(
    nodes.map(async (change) => {
      const node = row.nodes.find((n) => n.id === change.nodeId);
      if (!node) return undefined;
      const users = change.set.flatMap((name) => {
        const rules = acl.rules.get(name);
        return rules ? [{ name, rules }] : []; // gone since the plan: the next pass removes it
      });
      const set = [...(change.default ? [{ name: "default", rules: acl.defaultRules }] : []), ...users];
      const applied = await runtimeFor(ctx, node.driver).applyAcl(nodeSpec(row, node, config, ctx), { set, remove: change.remove });
      rememberApplied(
        node.id,
        users.map((u) => ({ name: u.name, fingerprint: acl.fingerprints.get(u.name)! })),
        applied.lines,
      );
      if (!applied.saved) ctx.log.info({ node: node.id }, "node has no aclfile yet: its users hold until its next start");
      return { nodeId: node.id, set: users.map((u) => u.name), remove: change.remove, default: change.default, rejected: applied.rejected };
    }),
  );
  const done = outcomes.flatMap((o) => (o.status === "fulfilled" && o.value ? [o.value] : []));
  const set = done.flatMap((d) => d.set.filter((name) => !d.rejected.some((r) => r.name === name)));
  const removed = done.flatMap((d) => d.remove);
  const parts = [
    ...(set.length > 0 ? [`user(s) ${list(set)} set`] : []),
    ...(removed.length > 0 ? [`user(s) ${list(removed)} removed`] : []),
    ...(done.some((d) => d.default) ? ["the default user's passwords updated"] : []),
  ];
  if (parts.length > 0) {
    await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "ACL_APPLIED", message: `${parts.join("; ")} on ${done.length} node(s)` } });
  }
  const rejected = new Map<string, { reason: string; nodes: string[] }>();
  for (const d of done)
    for (const r of d.rejected) (rejected.get(r.name) ?? rejected.set(r.name, { reason: r.reason, nodes: [] }).get(r.name)!).nodes.push(d.nodeId);
  for (const [name, { reason, nodes: on }] of rejected) {
    await ctx.prisma.event.create({
      data: {
        instanceUid: row.uid,
        type: "ACL_REJECTED",
        message: `User ${name} was refused by ${on.length} node(s) (${reason}); it is disabled there until its access string is fixed`,
      },
    });
  }
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
}

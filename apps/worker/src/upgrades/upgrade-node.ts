// One node of a rolling upgrade: stop it, record the new build on it, start it on that build and
// wait until it answers. A node that will not come up on the new build (its binary exits, its
// image has no entrypoint, it never answers) is put back on the build it ran, and the rollout
// stops: the deployment's desired version goes back to what its nodes run, the Operation fails
// with the reason, and the deployment keeps serving on the build that works.
//
// Order of writes, for a worker killed at any point: the node is stopped, then its row names the
// new build, then it starts. Killed before the row changed, the next pass starts it on its old
// build and upgrades it again; killed after, the next pass starts it on the new one.
import type { Node as NodeRow, Prisma } from "@cacheplane/db";
import { RuntimeUnavailableError, type NodeRuntime, type NodeSpec } from "@cacheplane/runtime";
import { runtimeFor, type WorkerContext } from "../context.js";
import { nodeSpec } from "../reconcile/desired.js";
import type { StepInput } from "../reconcile/step-input.js";
import { describeEngine, desiredEngine, nodeEngine, type Engine } from "./engines.js";

/** How long a node may take to answer on its new build before it is rolled back. Loading a large
 *  dataset does not count: a node that answers -LOADING is up. */
const START_TIMEOUT_MS = 15_000;
/** Operations a failed rollout ends: the upgrade itself, or the update or maintenance that set it off. */
const ROLLOUT_VERBS = ["upgrade", "update", "applyMaintenance"];

export async function upgradeNode(ctx: WorkerContext, input: StepInput, node: NodeRow, keepData: boolean) {
  const { row, config } = input;
  const runtime = runtimeFor(ctx, node.driver);
  const from = nodeEngine(row, node);
  const to = desiredEngine(row);
  const specOn = (engine: Engine) => nodeSpec(row, { ...node, ...engine }, config, ctx);
  await ctx.prisma.event.create({
    data: {
      instanceUid: row.uid,
      type: "NODE_UPGRADING",
      message: `Node ${node.id} (${node.zone}): ${describeEngine(from)} -> ${describeEngine(to)}${keepData ? ", its data saved and loaded back" : ""}`,
    },
  });
  // A node that must keep its data (no replica holds it) writes its whole dataset as it stops.
  await runtime.stop(specOn(from), { save: keepData });
  await recordEngine(ctx, node, to);
  const problem = await startAndWait(runtime, specOn(to), keepData);
  if (!problem) {
    await ctx.prisma.event.create({ data: { instanceUid: row.uid, type: "NODE_UPGRADED", message: `Node ${node.id} runs ${describeEngine(to)}` } });
    return;
  }
  await runtime.stop(specOn(to));
  await recordEngine(ctx, node, from);
  await runtime.start(specOn(from), { keepData });
  await stopRollout(ctx, input, node, from, to, problem);
}

const recordEngine = (ctx: WorkerContext, node: NodeRow, engine: Engine) =>
  ctx.prisma.node.updateMany({ where: { id: node.id }, data: { redisVersion: engine.redisVersion, maintenanceVersion: engine.maintenanceVersion } });

/** Starts the node and waits until it answers; returns why it did not, or nothing. */
async function startAndWait(runtime: NodeRuntime, spec: NodeSpec, keepData: boolean): Promise<string | undefined> {
  try {
    await runtime.start(spec, { keepData });
  } catch (error) {
    if (error instanceof RuntimeUnavailableError) throw error; // the engine is down, not the build
    return `it did not start: ${error instanceof Error ? error.message : String(error)}`;
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    const seen = await runtime.observe(spec);
    if (seen.liveness === "running") return undefined;
    if (seen.liveness === "absent" || seen.liveness === "stopped") return "it exited right after it started";
    if (Date.now() > deadline) return `it did not answer within ${START_TIMEOUT_MS / 1000} s`;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** The rollout ends here: desired goes back to the build the node runs again, and the
 *  Operation that asked for the new one fails with the reason. */
async function stopRollout(ctx: WorkerContext, { row, lease }: StepInput, node: NodeRow, from: Engine, to: Engine, problem: string) {
  const message =
    `Node ${node.id} did not come up on ${describeEngine(to)}: ${problem}. It was rolled back to ${describeEngine(from)} ` +
    `and the upgrade stopped; the ${row.kind === "CLUSTER" ? "cluster" : "instance"} keeps serving on ${describeEngine(from)}.`;
  const spec = { ...(row.spec as Record<string, unknown>), redisVersion: from.redisVersion, maintenanceVersion: from.maintenanceVersion };
  await ctx.prisma.$transaction(async (tx) => {
    const reverted = await tx.instance.updateMany({
      where: { uid: row.uid, leaseEpoch: lease.epoch },
      data: {
        spec: spec as Prisma.InputJsonObject,
        statusMessage: message,
        // The scheduler does not offer the same maintenance version again on its own; a newer
        // release, or a self-service update, tries again.
        ...(from.redisVersion === to.redisVersion ? { maintenanceSchedule: { failedVersion: to.maintenanceVersion } } : {}),
      },
    });
    if (reverted.count === 0) throw new Error("lost the instance lease while stopping the upgrade");
    await tx.operation.updateMany({
      where: { instanceUid: row.uid, done: false, verb: { in: ROLLOUT_VERBS } },
      data: { done: true, endTime: new Date(), statusDetail: "Failed", error: { code: 9, message } },
    });
    await tx.event.create({ data: { instanceUid: row.uid, type: "UPGRADE_FAILED", message } });
  });
  row.spec = spec as Prisma.JsonValue;
}

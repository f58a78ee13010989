// Which edge serves this worker's read endpoints, chosen once at its start: kernel redirects
// where iptables works (root), since nothing then sits between client and replica (~100% of
// direct); else the user-space balancer (~half of direct, shared/ENVIRONMENT.md), so a
// non-root user or a machine without iptables still gets a read endpoint. CACHEPLANE_READ_ENDPOINT
// (auto | kernel | proxy) overrides the probe. An endpoint the other edge made under an earlier
// setting is removed once this one serves it, and either edge's orphans are swept.
import { dirname, join } from "node:path";
import { loadReadEndpointMode, type ReadEndpointMode } from "@cacheplane/config";
import type { WorkerContext } from "../context.js";
import type { Edge, PortRange } from "./edge.js";
import { kernelRedirects, probeKernelRedirects } from "./kernel-redirects.js";
import { removeOrphanBalancers, userSpaceBalancer } from "./user-space-balancer.js";

export { EdgeUnavailableError, endpointName, type Edge } from "./edge.js";

/** Balancer state lives beside the nodes' dirs: {data dir}/edge (nodesRoot is {data dir}/nodes,
 *  where every entry must be a node). */
export const edgeDirOf = (ctx: Pick<WorkerContext, "nodesRoot">) => join(dirname(ctx.nodesRoot), "edge");
/** The kernel edge's memory of its rules (a reboot flushes them): beside the balancers' dir. */
const kernelStateOf = (edgeDir: string) => join(dirname(edgeDir), "edge-kernel");

// The probe's answer does not change while the process lives: one iptables call per process.
let kernelProbe: Promise<string | undefined> | undefined;
const whyNoKernel = () => (kernelProbe ??= probeKernelRedirects());

/** The edge for a mode, with the reason the worker reports; kernel asked for where it cannot
 *  work is kept (its creates fail with EdgeUnavailableError, as asked) and its reason says so. */
export async function chooseEdge(mode: ReadEndpointMode, edgeDir: string): Promise<Edge> {
  const why = await whyNoKernel();
  if (mode === "proxy") return userSpaceBalancer(edgeDir, "CACHEPLANE_READ_ENDPOINT=proxy");
  if (mode === "kernel")
    return kernelRedirects(why ? `CACHEPLANE_READ_ENDPOINT=kernel, but ${why}` : "CACHEPLANE_READ_ENDPOINT=kernel", kernelStateOf(edgeDir));
  return why ? userSpaceBalancer(edgeDir, why) : kernelRedirects("root and iptables are available", kernelStateOf(edgeDir));
}

/** The chosen edge, plus: routing on it removes the same endpoint from the other edge. */
function withHandover(edge: Edge, other: Edge | undefined): Edge {
  if (!other) return edge;
  return {
    ...edge,
    async routeReads(instanceUid, port, targets) {
      await edge.routeReads(instanceUid, port, targets);
      await other.routeReads(instanceUid, port, []).catch(() => undefined);
    },
  };
}

const chosen = new WeakMap<WorkerContext, Promise<Edge>>();

/** This worker's edge: chosen at its first use (startWorker asks at once) from
 *  CACHEPLANE_READ_ENDPOINT and the probe. */
export function edgeFor(ctx: WorkerContext): Promise<Edge> {
  let edge = chosen.get(ctx);
  if (!edge) {
    const dir = edgeDirOf(ctx);
    edge = (async () => {
      const mine = await chooseEdge(loadReadEndpointMode(), dir);
      const kernelWorks = (await whyNoKernel()) === undefined;
      return withHandover(mine, mine.kind === "kernel" ? userSpaceBalancer(dir, "") : kernelWorks ? kernelRedirects("", kernelStateOf(dir)) : undefined);
    })();
    chosen.set(ctx, edge);
  }
  return edge;
}

/** How the choice reads in the start line and in events. */
export const describeEdge = (edge: Edge) => `read endpoint on ${edge.kind === "kernel" ? "kernel redirects" : "the user-space balancer"}: ${edge.reason}`;

/** Read endpoints of either edge on ports in range whose instance is gone (machine-wide, as kernel
 *  rules are); edgeDir also clears what dead balancers left there. */
export async function removeOrphanReadEndpoints(isKnown: (name: string) => boolean | Promise<boolean>, range: PortRange, edgeDir?: string): Promise<string[]> {
  const kernel =
    (await whyNoKernel()) === undefined ? await kernelRedirects("", edgeDir && kernelStateOf(edgeDir)).removeOrphanReadEndpoints(isKnown, range) : [];
  return [...kernel, ...(await removeOrphanBalancers(isKnown, range, edgeDir))];
}

// DescribeEvents from the native Event table: what happened to each cluster (created, nodes
// replaced, failed over, resharded, backed up, ...), the events the native …/clusters/{c}/events
// lists. They are recorded per cluster, so their SourceType is `cluster`, node events included
// (their message names the node); the other source types (user, acl, parameter-group,
// subnet-group, node) have no events recorded here and answer none. Newest first.
//
// The window is MemoryDB's: the last hour unless told; Duration minutes (up to 14 days) back from
// EndTime (or now), or on from StartTime; or StartTime to EndTime. Events stay as long as their
// cluster does.
import { z } from "zod";
import { invalidParameterCombination, invalidParameterValue } from "../faults.js";
import { awsTime } from "../names.js";
import { page } from "../paging.js";
import { MaxResults, Name, NextToken, operation, type MemoryDbServices, type OperationTable } from "../registry.js";
import { clusterIdOf } from "../shapes/cluster.js";

const SOURCE_TYPES = ["node", "parameter-group", "subnet-group", "cluster", "user", "acl"] as const;
const MINUTE_MS = 60_000;
const DEFAULT_MINUTES = 60;
const MAX_MINUTES = 14 * 24 * 60;

/** AWS JSON sends timestamps as epoch seconds; ISO 8601 text is taken too (as the CLI may send it). */
const Timestamp = z.union([z.number(), z.string().max(64)]).transform((value, ctx) => {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) ctx.addIssue({ code: "custom", message: "must be a timestamp (epoch seconds or ISO 8601)" });
  return date;
});

export function eventWindow(
  input: { StartTime?: Date | undefined; EndTime?: Date | undefined; Duration?: number | undefined },
  now: Date,
): { from: Date; to: Date } {
  const { StartTime: start, EndTime: end, Duration: minutes } = input;
  if (start && end && minutes !== undefined) throw invalidParameterCombination("Give at most two of StartTime, EndTime and Duration");
  const span = (minutes ?? DEFAULT_MINUTES) * MINUTE_MS;
  const from = start ?? new Date((end ?? now).getTime() - span);
  const to = end ?? (start && minutes !== undefined ? new Date(start.getTime() + span) : now);
  // A StartTime still to come, with no EndTime, is a window with nothing in it yet.
  if (start && end && start > end) throw invalidParameterValue("StartTime must not be later than EndTime");
  return { from, to };
}

/** Newest first through the name-ordered pager: the id counted down from a fixed ceiling. */
const newestFirst = (id: bigint) => (10n ** 18n - id).toString().padStart(19, "0");

export function eventsOperations(services: MemoryDbServices): OperationTable {
  const { prisma } = services.ctx;
  return {
    DescribeEvents: operation(
      "read",
      z.object({
        SourceName: Name.optional(),
        SourceType: z.enum(SOURCE_TYPES).optional(),
        StartTime: Timestamp.optional(),
        EndTime: Timestamp.optional(),
        Duration: z.number().int().min(0).max(MAX_MINUTES).optional(),
        MaxResults,
        NextToken,
      }),
      async (input, call) => {
        const { from, to } = eventWindow(input, new Date());
        if (input.SourceType !== undefined && input.SourceType !== "cluster") return { Events: [] };
        const rows = await prisma.event.findMany({
          where: {
            time: { gte: from, lte: to },
            instance: {
              projectId: call.project,
              locationId: call.region,
              kind: "CLUSTER",
              ...(input.SourceName ? { instanceId: clusterIdOf(input.SourceName) } : {}),
            },
          },
          include: { instance: { select: { instanceId: true } } },
        });
        const { items, NextToken } = page(rows, (e) => newestFirst(e.id), input.MaxResults, input.NextToken);
        return {
          Events: items.map((e) => ({ SourceName: e.instance.instanceId, SourceType: "cluster", Message: e.message, Date: awsTime(e.time) })),
          ...(NextToken ? { NextToken } : {}),
        };
      },
    ),
  };
}

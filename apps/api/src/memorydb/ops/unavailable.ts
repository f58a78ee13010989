// The MemoryDB operations with no meaning on one local machine: reserved nodes (a billing
// commitment; nothing is billed here) and multi-Region clusters (there is one region, the
// location). They answer as MemoryDB answers an account that has none: the Describe* lists are
// empty, an operation naming a reservation, offering or multi-Region resource gets that
// resource's documented not-found fault, and CreateMultiRegionCluster says why it cannot be.
// Inputs are still validated, so a client learns of a malformed request here as anywhere else.
import { z } from "zod";
import { fault, invalidParameterValue } from "../faults.js";
import { page } from "../paging.js";
import { MaxResults, Name, NextToken, Tags, operation, type MemoryDbServices, type OperationTable } from "../registry.js";

/** An empty page, with the NextToken still checked (a token this API never issued is refused). */
const emptyPage = (NextToken: string | undefined) => page<never>([], () => "", undefined, NextToken).NextToken;

const notFound = (type: string, what: string, name: string) => fault(type, `${what} ${name} not found`);

const reservedNodesNotFound = (id: string) => notFound("ReservedNodesOfferingNotFoundFault", "ReservedNodesOffering", id);
const multiRegionClusterNotFound = (name: string) => notFound("MultiRegionClusterNotFoundFault", "MultiRegionCluster", name);
const multiRegionParameterGroupNotFound = (name: string) => notFound("MultiRegionParameterGroupNotFoundFault", "MultiRegionParameterGroup", name);

/** The filters both reserved-node listings take. */
const ReservedNodeFilters = {
  ReservedNodesOfferingId: Name.optional(),
  NodeType: Name.optional(),
  Duration: z.string().max(64).optional(),
  OfferingType: z.string().max(64).optional(),
  MaxResults,
  NextToken,
};

const ShardConfigurationRequest = z.object({ ShardCount: z.number().int().min(1).max(500).optional() });

export function unavailableOperations(_services: MemoryDbServices): OperationTable {
  return {
    DescribeReservedNodes: operation("read", z.object({ ReservationId: Name.optional(), ...ReservedNodeFilters }), async (input) => {
      if (input.ReservationId !== undefined) throw notFound("ReservedNodeNotFoundFault", "ReservedNode", input.ReservationId);
      return { ReservedNodes: [], NextToken: emptyPage(input.NextToken) };
    }),

    DescribeReservedNodesOfferings: operation("read", z.object(ReservedNodeFilters), async (input) => {
      if (input.ReservedNodesOfferingId !== undefined) throw reservedNodesNotFound(input.ReservedNodesOfferingId);
      return { ReservedNodesOfferings: [], NextToken: emptyPage(input.NextToken) };
    }),

    PurchaseReservedNodesOffering: operation(
      "write",
      z.object({ ReservedNodesOfferingId: Name, ReservationId: Name.optional(), NodeCount: z.number().int().min(1).optional(), Tags }),
      async (input) => {
        throw reservedNodesNotFound(input.ReservedNodesOfferingId);
      },
    ),

    CreateMultiRegionCluster: operation(
      "write",
      z.object({
        MultiRegionClusterNameSuffix: Name,
        Description: z.string().max(1024).optional(),
        Engine: z.string().max(64).optional(),
        EngineVersion: z.string().max(64).optional(),
        NodeType: Name,
        MultiRegionParameterGroupName: Name.optional(),
        NumShards: z.number().int().min(1).max(500).optional(),
        TLSEnabled: z.boolean().optional(),
        Tags,
      }),
      async (_input, call) => {
        throw invalidParameterValue(
          `Multi-Region clusters are not available in region ${call.region}: it is the only region here. Create a cluster with CreateCluster instead.`,
        );
      },
    ),

    DeleteMultiRegionCluster: operation("write", z.object({ MultiRegionClusterName: Name }), async (input) => {
      throw multiRegionClusterNotFound(input.MultiRegionClusterName);
    }),

    DescribeMultiRegionClusters: operation(
      "read",
      z.object({ MultiRegionClusterName: Name.optional(), MaxResults, NextToken, ShowClusterDetails: z.boolean().optional() }),
      async (input) => {
        if (input.MultiRegionClusterName !== undefined) throw multiRegionClusterNotFound(input.MultiRegionClusterName);
        return { MultiRegionClusters: [], NextToken: emptyPage(input.NextToken) };
      },
    ),

    UpdateMultiRegionCluster: operation(
      "write",
      z.object({
        MultiRegionClusterName: Name,
        NodeType: Name.optional(),
        Description: z.string().max(1024).optional(),
        EngineVersion: z.string().max(64).optional(),
        ShardConfiguration: ShardConfigurationRequest.optional(),
        MultiRegionParameterGroupName: Name.optional(),
        UpdateStrategy: z.enum(["coordinated", "uncoordinated"]).optional(),
      }),
      async (input) => {
        throw multiRegionClusterNotFound(input.MultiRegionClusterName);
      },
    ),

    ListAllowedMultiRegionClusterUpdates: operation("read", z.object({ MultiRegionClusterName: Name }), async (input) => {
      throw multiRegionClusterNotFound(input.MultiRegionClusterName);
    }),

    DescribeMultiRegionParameterGroups: operation(
      "read",
      z.object({ MultiRegionParameterGroupName: Name.optional(), MaxResults, NextToken }),
      async (input) => {
        if (input.MultiRegionParameterGroupName !== undefined) throw multiRegionParameterGroupNotFound(input.MultiRegionParameterGroupName);
        return { MultiRegionParameterGroups: [], NextToken: emptyPage(input.NextToken) };
      },
    ),

    DescribeMultiRegionParameters: operation(
      "read",
      z.object({ MultiRegionParameterGroupName: Name, Source: z.string().max(64).optional(), MaxResults, NextToken }),
      async (input) => {
        throw multiRegionParameterGroupNotFound(input.MultiRegionParameterGroupName);
      },
    ),
  };
}

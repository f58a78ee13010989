// The MemoryDB SubnetGroup shape. Each zone is one subnet here (subnet-local1a is zone local1-a,
// services/subnet-group-service.ts), all in the location's one VPC, `vpc-<location>`; every
// address is IPv4 loopback, so ipv4 is the one network type.
import type { LocationConfig } from "../../context.js";
import { subnetsOf, vpcIdOf, type SubnetGroup } from "../../services/subnet-group-service.js";
import { arn, availabilityZoneOf } from "../names.js";
import type { Where } from "./user.js";

const NETWORK_TYPES = ["ipv4"];

export function subnetGroupShape(where: Where, locations: LocationConfig, group: SubnetGroup) {
  const zoneOf = new Map(subnetsOf(locations).map((s) => [s.id, s.zone]));
  return {
    Name: group.name,
    Description: group.description,
    VpcId: vpcIdOf(locations.location),
    Subnets: group.subnetIds.map((id) => {
      const zone = zoneOf.get(id);
      return {
        Identifier: id,
        // A subnet of a zone configured away since keeps its id, with no zone to show.
        ...(zone ? { AvailabilityZone: { Name: availabilityZoneOf(zone, locations.location) } } : {}),
        SupportedNetworkTypes: NETWORK_TYPES,
      };
    }),
    ARN: arn(where.region, where.project, "subnetgroup", group.name),
    SupportedNetworkTypes: NETWORK_TYPES,
  };
}

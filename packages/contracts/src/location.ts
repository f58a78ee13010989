import { z } from "zod";

export const Location = z
  .object({
    name: z.string(),
    locationId: z.string(),
    displayName: z.string(),
    metadata: z.object({
      "@type": z.literal("type.googleapis.com/google.cloud.redis.v1.LocationMetadata"),
      availableZones: z.record(z.string(), z.object({})),
    }),
  })
  .meta({ id: "Location" });

export const ListLocationsResponse = z
  .object({ locations: z.array(Location), nextPageToken: z.string().optional() })
  .meta({ id: "ListLocationsResponse" });

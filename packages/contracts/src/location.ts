import { z } from "zod";

export const Location = z
  .object({
    name: z.string(),
    locationId: z.string(),
    displayName: z.string(),
    metadata: z.object({
      "@type": z.literal("type.googleapis.com/google.cloud.redis.v1.LocationMetadata"),
      availableZones: z.record(
        z.string(),
        z.object({
          state: z.enum(["UP", "DOWN"]).optional().meta({ description: "cacheplane addition: DOWN while a zone fault is injected." }),
        }),
      ),
      availableRedisVersions: z
        .array(z.string())
        .optional()
        .meta({ description: "cacheplane addition: the redisVersions instances and clusters may be created on or upgraded to here, the default first." }),
    }),
  })
  .meta({ id: "Location" });

export const ListLocationsResponse = z.object({ locations: z.array(Location), nextPageToken: z.string().optional() }).meta({ id: "ListLocationsResponse" });

export const ZoneParams = z.object({
  project: z
    .string()
    .max(63)
    .regex(/^[a-z][a-z0-9-]{0,61}[a-z0-9]$/, "must be a project id"),
  location: z
    .string()
    .max(63)
    .regex(/^[a-z][a-z0-9-]{0,62}$/, "must be a location id"),
  zone: z
    .string()
    .max(63)
    .regex(/^[a-z][a-z0-9-]{0,62}$/, "must be a zone id such as local1-a"),
});

export const Zone = z
  .object({
    name: z.string().meta({ description: "projects/{project}/locations/{location}/zones/{zone}" }),
    state: z.enum(["UP", "DOWN"]),
    updateTime: z.iso.datetime().optional(),
  })
  .meta({ id: "Zone", description: "cacheplane addition: zone fault injection for resilience tests." });

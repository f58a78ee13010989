import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { ListLocationsResponse, PageQuery, ProjectParams } from "@cacheplane/contracts";
import { locationName } from "@cacheplane/core";
import type { LocationConfig } from "../context.js";
import { errorResponses, security } from "./common.js";

export function locationRoutes(app: FastifyInstance, config: LocationConfig) {
  app.withTypeProvider<ZodTypeProvider>().get("/v1/projects/:project/locations", {
    schema: {
      operationId: "listLocations",
      summary: "List locations and their zones",
      tags: ["Locations"],
      security,
      params: ProjectParams,
      querystring: PageQuery,
      response: { 200: ListLocationsResponse, ...errorResponses },
    },
    handler: async (req) => ({
      locations: [
        {
          name: locationName(req.params.project, config.location),
          locationId: config.location,
          displayName: `Local (${config.location})`,
          metadata: {
            "@type": "type.googleapis.com/google.cloud.redis.v1.LocationMetadata" as const,
            availableZones: Object.fromEntries(config.zones.map((zone) => [zone, {}])),
          },
        },
      ],
    }),
  });
}

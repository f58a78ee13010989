import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ListLocationsResponse, Location, LocationParams, PageQuery, ProjectParams, Zone, ZoneParams } from "@cacheplane/contracts";
import { locationName } from "@cacheplane/core";
import type { LocationConfig } from "../context.js";
import { notFound } from "../errors.js";
import type { ZoneService } from "../services/zone-service.js";
import { errorResponses, security } from "./common.js";

const ZONE = "/v1/projects/:project/locations/:location/zones/:zone(^[a-z][a-z0-9-]*)";

export function locationRoutes(app: FastifyInstance, config: LocationConfig & { redisVersions: readonly string[] }, zones: ZoneService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const locationOf = async (project: string) => {
    const states = await zones.states(config.location);
    return {
      name: locationName(project, config.location),
      locationId: config.location,
      displayName: `Local (${config.location})`,
      metadata: {
        "@type": "type.googleapis.com/google.cloud.redis.v1.LocationMetadata" as const,
        availableZones: Object.fromEntries(config.zones.map((zone) => [zone, { state: states[zone] }])),
        availableRedisVersions: [...config.redisVersions],
      },
    };
  };
  r.get("/v1/projects/:project/locations", {
    schema: {
      operationId: "listLocations",
      summary: "List locations and their zones",
      tags: ["Locations"],
      security,
      params: ProjectParams,
      querystring: PageQuery,
      response: { 200: ListLocationsResponse, ...errorResponses },
    },
    handler: async (req) => ({ locations: [await locationOf(req.params.project)] }),
  });

  r.get("/v1/projects/:project/locations/:location", {
    schema: {
      operationId: "getLocation",
      summary: "Get a location and its zones",
      tags: ["Locations"],
      security,
      params: LocationParams,
      response: { 200: Location, ...errorResponses },
    },
    handler: async (req) => {
      if (req.params.location !== config.location) throw notFound(`location ${locationName(req.params.project, req.params.location)}`);
      return locationOf(req.params.project);
    },
  });

  for (const [verb, action] of [
    ["fail", zones.fail],
    ["recover", zones.recover],
  ] as const) {
    r.post(`${ZONE}::${verb}`, {
      // A zone holds every project's nodes, so only an admin may take one down.
      config: { access: "admin" },
      schema: {
        operationId: `${verb}Zone`,
        summary:
          verb === "fail"
            ? "Take a zone down: every node in it stops, as in a zone outage (cacheplane addition)"
            : "Bring a zone back: its nodes start again and rejoin (cacheplane addition)",
        tags: ["Locations"],
        security,
        params: ZoneParams,
        body: z.strictObject({}).nullish(),
        response: { 200: Zone, ...errorResponses },
      },
      handler: (req) => action(req.principal, req.params),
    });
  }
}

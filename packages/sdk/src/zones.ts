// Zone fault injection (a cacheplane addition, for resilience tests): take a zone down as an
// outage would — every node in it stops, HA deployments fail over out of it — and bring it back.
// Zones hold every project's nodes, so failing or recovering one needs an admin key.
import { CacheplaneError } from "./errors.js";
import { dataOf, type ApiClient } from "./http.js";
import type { Zone } from "./types.js";

const ZONE = /^(?:projects\/[^/]+\/locations\/[^/]+\/zones\/)?([a-z][a-z0-9-]*)$/;

/** `local1-a` from itself or from `projects/p/locations/l/zones/local1-a`. */
function zoneId(zoneOrName: string): string {
  const m = ZONE.exec(zoneOrName);
  if (!m) throw CacheplaneError.of("INVALID_ARGUMENT", `'${zoneOrName}' is not a zone such as local1-a`);
  return m[1]!;
}

export function zonesApi(api: ApiClient, scope: { project: string; location: string }) {
  const path = (zone: string) => ({ project: scope.project, location: scope.location, zone: zoneId(zone) });
  return {
    /** The location's zones and whether each is UP or DOWN (from the location's metadata). */
    async list(opts: { signal?: AbortSignal } = {}): Promise<{ zone: string; state: Zone["state"] }[]> {
      const location = dataOf(
        await api.GET("/v1/projects/{project}/locations/{location}", {
          params: { path: { project: scope.project, location: scope.location } },
          signal: opts.signal,
        }),
      );
      return Object.entries(location.metadata.availableZones).map(([zone, { state }]) => ({ zone, state: state ?? "UP" }));
    },
    /** Takes the zone down: its nodes stop, and stay stopped until recover(). A DOWN zone is answered unchanged. */
    async fail(zone: string, opts: { signal?: AbortSignal } = {}): Promise<Zone> {
      return dataOf(
        await api.POST("/v1/projects/{project}/locations/{location}/zones/{zone}:fail", { params: { path: path(zone) }, body: {}, signal: opts.signal }),
      );
    },
    /** Brings the zone back: its nodes start again and rejoin as replicas. */
    async recover(zone: string, opts: { signal?: AbortSignal } = {}): Promise<Zone> {
      return dataOf(
        await api.POST("/v1/projects/{project}/locations/{location}/zones/{zone}:recover", { params: { path: path(zone) }, body: {}, signal: opts.signal }),
      );
    },
  };
}
export type ZonesApi = ReturnType<typeof zonesApi>;

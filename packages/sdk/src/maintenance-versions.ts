// The engine catalogue's maintenance versions (a cacheplane addition: in the cloud Google releases
// them; here the operator does). Releasing one is what makes the worker schedule it into each older
// instance's and cluster's maintenance window; `rescheduleMaintenance` then moves that schedule.
import { CacheplaneError } from "./errors.js";
import { dataOf, type ApiClient } from "./http.js";
import type { MaintenanceVersion } from "./types.js";

const VERSION = /^(?:maintenanceVersions\/)?(\d{8}_\d{2}_\d{2})$/;

/** `20261201_00_00` from itself or from `maintenanceVersions/20261201_00_00`. */
function versionId(versionOrName: string): string {
  const m = VERSION.exec(versionOrName);
  if (!m) throw CacheplaneError.of("INVALID_ARGUMENT", `'${versionOrName}' is not a maintenance version such as 20261115_00_00`);
  return m[1]!;
}

export function maintenanceVersionsApi(api: ApiClient) {
  return {
    /** Every version of the catalogue, oldest first (one answer: the list is not paged). */
    async list(opts: { signal?: AbortSignal } = {}): Promise<{ maintenanceVersions: MaintenanceVersion[] }> {
      return dataOf(await api.GET("/v1/maintenanceVersions", { signal: opts.signal }));
    },

    /**
     * Releases a version (needs a key with access to every project, else PERMISSION_DENIED); a
     * released one is answered unchanged. Resources on an older version of its engines are then
     * scheduled for it: in their next maintenance window, or at once without a maintenance policy.
     */
    async release(versionOrName: string, opts: { signal?: AbortSignal } = {}): Promise<MaintenanceVersion> {
      return dataOf(
        await api.POST("/v1/maintenanceVersions/{version}:release", { params: { path: { version: versionId(versionOrName) } }, body: {}, signal: opts.signal }),
      );
    },
  };
}
export type MaintenanceVersionsApi = ReturnType<typeof maintenanceVersionsApi>;

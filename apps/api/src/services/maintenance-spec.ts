// The engine and maintenance fields of a stored spec, shared by instances and clusters: which
// redisVersion and maintenanceVersion a create gets, what an update may move them to, and the
// maintenance policy as stored (windows filled in, times set by the server). Each refusal names
// its field.
import type { MaintenancePolicy } from "@cacheplane/contracts";
import {
  availableMaintenanceVersions,
  BASE_MAINTENANCE_VERSION,
  isDowngrade,
  latestReleased,
  releasedVersions,
  type StoredMaintenanceSpec,
  type StoredMaintenancePolicy,
} from "@cacheplane/core";
import { failedPrecondition, invalidArgument } from "../errors.js";
import type { Catalogue } from "./catalogue.js";

export interface MaintenanceContext {
  catalogue: Catalogue;
  /** Released maintenance versions, read for this request. */
  released: ReadonlySet<string>;
  now: Date;
}

/** An update: the spec it starts from and the fields its mask names. */
export interface SpecChange<S> {
  current: S;
  fields: readonly string[];
}

const list = (versions: readonly string[]) => (versions.length > 0 ? versions.join(", ") : "none");

/** A redisVersion this control plane offers. */
export function offeredVersion(catalogue: Catalogue, requested: string | undefined): string {
  const version = requested ?? catalogue.offered[0];
  if (!version) throw invalidArgument("redisVersion", "no engine is configured here");
  if (!catalogue.offered.includes(version)) {
    throw invalidArgument("redisVersion", `${version} is not available here; available: ${list(catalogue.offered)}`);
  }
  return version;
}

/** A released maintenance version of redisVersion: the one asked for, or the newest. */
function releasedVersion(ctx: MaintenanceContext, redisVersion: string, requested: string | undefined): string {
  const released = releasedVersions(ctx.catalogue.engines, redisVersion, ctx.released);
  if (requested === undefined) return latestReleased(ctx.catalogue.engines, redisVersion, ctx.released)!;
  if (!released.includes(requested)) {
    throw invalidArgument("maintenanceVersion", `${requested} is not a released maintenance version of ${redisVersion}; released: ${list(released)}`);
  }
  return requested;
}

/**
 * The rules of an engine upgrade (`:upgrade`, a cluster's redisVersion): offered here, not the
 * version it runs, never backwards (MemoryDB refuses downgrades too: a newer engine's RDB may
 * not load in an older one).
 */
export function checkUpgrade(catalogue: Catalogue, current: string, target: string, what: string) {
  offeredVersion(catalogue, target);
  if (target === current) throw failedPrecondition(`${what} already runs ${current}`);
  if (isDowngrade(current, target)) throw failedPrecondition(`downgrades are not supported: ${what} runs ${current}, which is newer than ${target}`);
}

/** A self-service update (Memorystore's maintenanceVersion PATCH): a released version newer
 *  than the current one, or the current one itself (no change). */
function updatedMaintenanceVersion(ctx: MaintenanceContext, redisVersion: string, current: string | undefined, requested: string | undefined) {
  if (requested === undefined) throw invalidArgument("maintenanceVersion", "cannot be cleared; name one of availableMaintenanceVersions");
  const running = current ?? BASE_MAINTENANCE_VERSION;
  if (requested === running) return current;
  const available = availableMaintenanceVersions(ctx.catalogue.engines, redisVersion, running, ctx.released);
  if (!available.includes(requested)) {
    throw invalidArgument(
      "maintenanceVersion",
      `${requested} is not available for ${redisVersion} at ${running}; availableMaintenanceVersions: ${list(available)}`,
    );
  }
  return requested;
}

const HMS = (t: { hours?: number | undefined; minutes?: number | undefined; seconds?: number | undefined; nanos?: number | undefined }) => ({
  hours: t.hours ?? 0,
  minutes: t.minutes ?? 0,
  seconds: t.seconds ?? 0,
  nanos: t.nanos ?? 0,
});

/** The policy as stored: each window's time of day filled in, createTime kept from the policy it
 *  replaces, updateTime now. Output-only fields a client sends back are ignored. */
export function normalizePolicy(
  input: MaintenancePolicy | undefined,
  previous: StoredMaintenancePolicy | undefined,
  now: Date,
): StoredMaintenancePolicy | undefined {
  if (!input) return undefined;
  const windows = input.weeklyMaintenanceWindow?.map((w) => ({ day: w.day, startTime: HMS(w.startTime) }));
  const seen = new Set<string>();
  windows?.forEach((w, i) => {
    const key = `${w.day} ${JSON.stringify(w.startTime)}`;
    if (seen.has(key)) throw invalidArgument(`maintenancePolicy.weeklyMaintenanceWindow.${i}`, "repeats an earlier window");
    seen.add(key);
  });
  return {
    createTime: previous?.createTime ?? now.toISOString(),
    updateTime: now.toISOString(),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(windows ? { weeklyMaintenanceWindow: windows } : {}),
  };
}

interface MaintenanceInput {
  redisVersion?: string | undefined;
  maintenanceVersion?: string | undefined;
  maintenancePolicy?: MaintenancePolicy | undefined;
}

/**
 * redisVersion, maintenanceVersion and maintenancePolicy of the spec to store. A create takes them
 * from the input (defaults: the first version offered, its newest released maintenance version);
 * an update keeps each as it is unless the mask names it. `redisVersionUpdatable`: clusters take
 * a new redisVersion through PATCH (an upgrade); instances through `:upgrade` only.
 */
export function maintenanceSpec<S extends StoredMaintenanceSpec>(
  input: MaintenanceInput,
  ctx: MaintenanceContext,
  change: SpecChange<S> | undefined,
  opts: { what: string; redisVersionUpdatable: boolean },
): StoredMaintenanceSpec {
  if (!change) {
    const redisVersion = offeredVersion(ctx.catalogue, input.redisVersion);
    return {
      redisVersion,
      maintenanceVersion: releasedVersion(ctx, redisVersion, input.maintenanceVersion),
      ...optional("maintenancePolicy", normalizePolicy(input.maintenancePolicy, undefined, ctx.now)),
    };
  }
  const { current, fields } = change;
  const named = (f: string) => fields.includes(f);
  let redisVersion = current.redisVersion;
  let maintenanceVersion = current.maintenanceVersion;
  if (opts.redisVersionUpdatable && named("redisVersion")) {
    if (input.redisVersion === undefined) throw invalidArgument("redisVersion", "cannot be cleared");
    // The same version again is no change (a client may send back what it read).
    if (input.redisVersion !== current.redisVersion) {
      checkUpgrade(ctx.catalogue, current.redisVersion, input.redisVersion, opts.what);
      redisVersion = input.redisVersion;
      maintenanceVersion = releasedVersion(ctx, redisVersion, named("maintenanceVersion") ? input.maintenanceVersion : undefined);
    }
  }
  if (named("maintenanceVersion") && redisVersion === current.redisVersion) {
    maintenanceVersion = updatedMaintenanceVersion(ctx, redisVersion, current.maintenanceVersion, input.maintenanceVersion);
  }
  const maintenancePolicy = named("maintenancePolicy")
    ? normalizePolicy(input.maintenancePolicy, current.maintenancePolicy, ctx.now)
    : current.maintenancePolicy;
  return { redisVersion, ...optional("maintenanceVersion", maintenanceVersion), ...optional("maintenancePolicy", maintenancePolicy) };
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as { [k in K]: V }));

/** The build the deployment runs changes: its nodes restart, and a pending maintenance is moot. */
export const engineChanged = (before: StoredMaintenanceSpec, after: StoredMaintenanceSpec) =>
  before.redisVersion !== after.redisVersion ||
  (before.maintenanceVersion ?? BASE_MAINTENANCE_VERSION) !== (after.maintenanceVersion ?? BASE_MAINTENANCE_VERSION);

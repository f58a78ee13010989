// Short names for the generated wire types. The generated file itself is never edited.
import type { components, paths } from "./generated/openapi.js";

type Schemas = components["schemas"];

export type { components, paths };
export type Instance = Schemas["Instance"];
/** The body of a create or update (output-only fields are ignored by the API). */
export type InstanceInput = Schemas["InstanceInput"];
export type Operation = Schemas["Operation"];
export type OperationMetadata = Schemas["OperationMetadata"];
export type Location = Schemas["Location"];
/** cacheplane addition: a zone of a location and whether it is UP or DOWN (fault injection). */
export type Zone = Schemas["Zone"];
export type ApiKey = Schemas["ApiKey"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type CreateApiKeyRequest = Schemas["CreateApiKeyRequest"];
export type ErrorBody = Schemas["Error"];
export type CanonicalStatus = ErrorBody["error"]["status"];
export type Tier = NonNullable<Instance["tier"]>;
/** cacheplane addition: one entry of an instance's or a cluster's event log (same shape for both). */
export type InstanceEvent = Schemas["InstanceEvent"];
export type Cluster = Schemas["Cluster"];
/** The body of a cluster create or update (output-only fields are ignored by the API). */
export type ClusterInput = Schemas["ClusterInput"];
export type ClusterShard = Schemas["ClusterShard"];
export type DiscoveryEndpoint = Schemas["DiscoveryEndpoint"];
export type NodeInfo = Schemas["NodeInfo"];
export type NodeType = NonNullable<Cluster["nodeType"]>;
export type ClusterState = NonNullable<Cluster["state"]>;
/** Memorystore's engine versions (which of them a control plane runs is its catalogue's choice). */
export type RedisVersion = NonNullable<Instance["redisVersion"]>;
export type MaintenancePolicy = Schemas["MaintenancePolicy"];
export type WeeklyMaintenanceWindow = Schemas["WeeklyMaintenanceWindow"];
export type MaintenanceSchedule = Schemas["MaintenanceSchedule"];
/** The body of `:rescheduleMaintenance` / `:rescheduleClusterMaintenance`. */
export type RescheduleMaintenanceRequest = Schemas["RescheduleMaintenanceRequestInput"];
export type RescheduleType = Exclude<RescheduleMaintenanceRequest["rescheduleType"], "RESCHEDULE_TYPE_UNSPECIFIED">;
/** cacheplane addition: one maintenance version of the engine catalogue. */
export type MaintenanceVersion = Schemas["MaintenanceVersion"];
/** cacheplane addition: an instance's or a cluster's time series (GET …/metrics), and one of them. */
export type DeploymentMetrics = Schemas["DeploymentMetrics"];
export type MetricSeries = Schemas["MetricSeries"];

// cacheplane keys create|list|revoke|aws-credentials — API keys (admin keys only). Every
// command's flags and --help come from its table below.
import type { ApiKey, CacheplaneClient, CreateApiKeyRequest, CreatedApiKey } from "@cacheplane/sdk";
import { noPositionals, onePositional, outputFormat } from "../args.js";
import { command, commandGroup } from "../command.js";
import { connect } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { details, envLines, json, keyTable, shortName } from "../output.js";

const ROLES = ["admin", "editor", "viewer"] as const;
type Role = (typeof ROLES)[number];

function roleOf(value: string | undefined): Role | undefined {
  if (value === undefined) return undefined;
  if (!(ROLES as readonly string[]).includes(value)) throw new UsageError(`--role must be one of ${ROLES.join(", ")} (got '${value}')`);
  return value as Role;
}

type AwsCredentials = CreatedApiKey["awsCredentials"];

/** The key's AWS-style credentials, for the MemoryDB API (aws CLI, AWS SDKs, Terraform). */
const awsDetails = (creds: AwsCredentials): [string, unknown][] => [
  ["awsAccessKeyId", creds.accessKeyId],
  ["awsSecretAccessKey", creds.secretAccessKey],
  ["awsProject", creds.project],
];

/** What the aws CLI and the AWS SDKs read; the region is the location. AWS_ENDPOINT_URL is read by
 *  newer clients only (aws CLI ≥ 2.13); older ones take --endpoint-url. */
const awsEnv = (creds: AwsCredentials, client: CacheplaneClient): [string, string][] => [
  ["AWS_ACCESS_KEY_ID", creds.accessKeyId],
  ["AWS_SECRET_ACCESS_KEY", creds.secretAccessKey],
  ["AWS_DEFAULT_REGION", client.location],
  ["AWS_ENDPOINT_URL", client.url],
];

const MEMORYDB_NOTE = `The AWS credentials sign requests to the MemoryDB API at the same URL, e.g.
  aws memorydb describe-clusters --endpoint-url <url> --region <location>`;

const create = command(
  {
    args: "<display-name> [--role ROLE] [--scope PROJECT]... [-o table|json|env]",
    summary: "Create an API key (its secret is shown once)",
    flags: {
      role: {
        type: "string",
        arg: "ROLE",
        help: "viewer (read only, no secrets), editor (default: read, change, read AUTH strings) or admin (everything, every project)",
      },
      scope: {
        type: "string",
        arg: "PROJECT",
        multiple: true,
        help: "a project the key may use (repeatable; default: the --project, or '*' for an admin); '*' is every project",
      },
    },
    notes: `An admin key is for every project: --role admin takes no --scope but '*'.
-o env prints CACHEPLANE_API_KEY=… and the AWS_… variables (for a CI secret or an environment file).
Example: cacheplane keys create dashboards --role viewer --scope default -o env
${MEMORYDB_NOTE}`,
  },
  async ({ values: v, positionals }, io, name) => {
    const displayName = onePositional(positionals, "display-name", name);
    const format = outputFormat(v.output);
    const role = roleOf(v.role);
    const client = await connect(v, io);
    const projects = v.scope?.length ? v.scope : role === "admin" ? ["*"] : [client.project];
    const request: CreateApiKeyRequest = { displayName, projects, ...(role ? { role } : {}) };
    const created = await client.apiKeys.create(request);
    if (format === "json") return io.out(json(created));
    if (format === "env") return io.out(envLines([["CACHEPLANE_API_KEY", created.keyString], ...awsEnv(created.awsCredentials, client)]));
    io.out(
      details([
        ["key", shortName(created.name)],
        ["displayName", created.displayName],
        ["role", created.role],
        ["projects", created.projects.join(",")],
        ["secret", created.keyString],
        ...awsDetails(created.awsCredentials),
      ]),
    );
    io.out("\nThe secrets are shown only now; store them somewhere safe.\n");
  },
);

const list = command(
  { args: "[-o table|json]", summary: "List API keys (never their secrets; -o json shows each key's role)", flags: {} },
  async ({ values: v, positionals }, io, name) => {
    noPositionals(positionals, name);
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    const all: ApiKey[] = [];
    for await (const key of client.apiKeys.all()) all.push(key);
    io.out(format === "json" ? json(all) : keyTable(all));
  },
);

const revoke = command(
  { args: "<key> [-o table|json]", summary: "Revoke a key; it stops working at once", flags: {} },
  async ({ values: v, positionals }, io, name) => {
    const key = onePositional(positionals, "key", name);
    const format = outputFormat(v.output, ["table", "json"]);
    const client = await connect(v, io);
    const revoked = await client.apiKeys.revoke(key);
    io.out(format === "json" ? json(revoked) : `Revoked key ${shortName(revoked.name)} (${revoked.displayName}).\n`);
  },
);

const awsCredentials = command(
  {
    args: "<key> [--project PROJECT] [-o table|json|env]",
    summary: "Issue new AWS credentials for a key, for the MemoryDB API (the old ones stop at once)",
    flags: {},
    notes: `They act in --project (default: the key's first project, "default" for an admin key), which the key
must be allowed. The secret is shown only now. -o env prints the AWS_… variables.
${MEMORYDB_NOTE}`,
  },
  async ({ values: v, positionals }, io, name) => {
    const key = apiKeyIdOf(onePositional(positionals, "key", name));
    const format = outputFormat(v.output);
    const client = await connect(v, io);
    const { data } = await client.api.POST("/v1/apiKeys/{key}:issueAwsCredentials", {
      params: { path: { key } },
      body: v.project ? { project: v.project } : {},
    });
    const creds = data!;
    if (format === "json") return io.out(json(creds));
    if (format === "env") return io.out(envLines(awsEnv(creds, client)));
    io.out(details([["key", key], ...awsDetails(creds)]));
    io.out("\nThe secret is shown only now; store it somewhere safe. The key's earlier AWS credentials no longer work.\n");
  },
);

/** `apiKeys/abc` or `abc`, as the other key commands take it. */
const apiKeyIdOf = (idOrName: string) => idOrName.replace(/^apiKeys\//, "");

export const keys = commandGroup("keys", { create, list, revoke, "aws-credentials": awsCredentials });

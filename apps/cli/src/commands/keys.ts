// cacheplane keys create|list|revoke — API keys (admin keys only). Every command's flags and
// --help come from its table below.
import type { ApiKey, CreateApiKeyRequest } from "@cacheplane/sdk";
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
-o env prints CACHEPLANE_API_KEY=… (for a CI secret or an environment file).
Example: cacheplane keys create dashboards --role viewer --scope default -o env`,
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
    if (format === "env") return io.out(envLines([["CACHEPLANE_API_KEY", created.keyString]]));
    io.out(details([["key", shortName(created.name)], ["displayName", created.displayName], ["role", created.role], ["projects", created.projects.join(",")], ["secret", created.keyString]]));
    io.out("\nThe secret is shown only now; store it somewhere safe.\n");
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

export const keys = commandGroup("keys", { create, list, revoke });

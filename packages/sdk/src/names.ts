// Resource names (AIP-122): every method takes either a bare id or a full name.
export interface Scope {
  project: string;
  location: string;
}

export function parseName(kind: "instances" | "clusters" | "operations", idOrName: string, scope: Scope): Scope & { id: string } {
  const m = new RegExp(`^projects/([^/]+)/locations/([^/]+)/${kind}/([^/]+)$`).exec(idOrName);
  if (m) return { project: m[1]!, location: m[2]!, id: m[3]! };
  return { ...scope, id: idOrName };
}

export const apiKeyId = (idOrName: string) => idOrName.replace(/^apiKeys\//, "");

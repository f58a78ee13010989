// A resource's or node's state as a coloured word: settled green, changing amber, broken red.
const TONE: Record<string, string> = {
  READY: "ok",
  ACTIVE: "ok",
  UP: "ok",
  UNHEALTHY: "bad",
  DOWN: "bad",
  DELETING: "bad",
  REPAIRING: "warn",
};

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge ${TONE[state] ?? "warn"}`}>{state}</span>;
}

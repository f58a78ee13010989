// Reading an exposition in tests: Prometheus's own parser and linter (promtool, Debian's
// `prometheus` package; scripts/test-services.sh installs it), and a small reader of its lines.
import { spawn } from "node:child_process";

/** `promtool check metrics` on the body: exit code and what it said. A missing promtool is a
 *  failure (spawn's ENOENT), never a skip. */
export function promtoolCheck(body: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.PROMTOOL ?? "promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("error", (error) => reject(new Error(`promtool could not run (install Debian's prometheus package): ${error.message}`)));
    child.once("close", (code) => resolve({ code, output }));
    child.stdin.end(body);
  });
}

export interface Line {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Sample lines (comments skipped); label values unescaped. */
export function samplesOf(body: string): Line[] {
  const lines: Line[] = [];
  for (const text of body.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(text);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    lines.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return lines;
}

/** `# TYPE name type` lines as a map. */
export function typesOf(body: string): Record<string, string> {
  return Object.fromEntries([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The samples of one series name whose labels include `match`. */
export const find = (lines: Line[], name: string, match: Record<string, string> = {}) =>
  lines.filter((l) => l.name === name && Object.entries(match).every(([k, v]) => l.labels[k] === v));

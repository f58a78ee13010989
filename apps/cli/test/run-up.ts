// `cacheplane up` in the foreground as a child process, as a user starts it, for the tests that
// stop, kill and restart it (up-down here, the whole-machine restart in test/e2e).
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { BIN } from "./run-cli.js";

export interface Up {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
}

/** Resolves once it says it is up; rejects with its output if it exits or hangs first. */
export function startUp(env: Record<string, string>, cwd?: string): Promise<Up> {
  const child = spawn(process.execPath, [BIN, "up"], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    // A first start on a new data dir runs PGlite's initdb: seconds, a minute on a loaded machine.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`cacheplane up did not come up:\n${out}`));
    }, 120_000);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`cacheplane up exited (${signal ?? code}):\n${out}`));
    };
    child.once("exit", onExit);
    child.stdout!.on("data", function check() {
      if (!out.includes("cacheplane is up at")) return;
      child.stdout!.off("data", check);
      child.off("exit", onExit);
      clearTimeout(timer);
      resolve({ child, output: () => out });
    });
  });
}

/** A loopback port nothing listens on right now (for CACHEPLANE_PORT). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** The REST API of a control plane `up` serves, as an admin client sees it: status and parsed
 *  body. base is read at each call (the tests learn the port in beforeAll). */
export function restClient(base: () => string, key: string) {
  return async <T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

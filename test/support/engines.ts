// Engine builds for upgrade tests. Only redis 7.0 exists on these machines, so every "version" is
// a copy of the same engine: a copied binary (process driver; it must keep the name
// redis-server, the binary behaves by its name) or the local image under another tag (docker).
// Tests then assert on the binary or image each node runs, never on INFO.
import { execFileSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import Dockerode from "dockerode";
import type { EngineEntry } from "@cacheplane/core";
import { DOCKER_LABELS } from "@cacheplane/runtime";
import { LOCAL_IMAGE, startTestControlPlane, type Driver, type TestControlPlane, type TestControlPlaneOptions } from "./control-plane.js";
import { processesUnder } from "./processes.js";

const docker = new Dockerode();

export const BASE = { redisVersion: "REDIS_7_0", maintenanceVersion: "20261101_00_00" };
export const PATCH = { redisVersion: "REDIS_7_0", maintenanceVersion: "20261201_00_00" };
export const NEXT = { redisVersion: "REDIS_7_2", maintenanceVersion: "20261115_00_00" };
/** A build that cannot run: its binary exits at once; its image has no redis-server on its PATH
 *  (the docker driver runs `redis-server` itself, never an image's entrypoint). */
export const BROKEN = { redisVersion: "REDIS_7_4", maintenanceVersion: "20261115_00_00" };

export interface TestEngines {
  catalogue: EngineEntry[];
  /** What a node of that build runs: a binary's real path, or an image name. */
  expected(build: { redisVersion: string; maintenanceVersion: string }): string;
}

const hostBinary = () => execFileSync("sh", ["-c", "command -v redis-server"]).toString().trim();
const tagOf = (build: { redisVersion: string; maintenanceVersion: string }) => `${build.redisVersion.toLowerCase()}-${build.maintenanceVersion}`;

/** Makes the four builds for a driver; binaries under `dir`. */
export async function makeEngines(driver: Driver, dir: string): Promise<TestEngines> {
  const builds = [BASE, PATCH, NEXT];
  const where = new Map<string, string>();
  const key = (b: { redisVersion: string; maintenanceVersion: string }) => `${b.redisVersion}@${b.maintenanceVersion}`;
  if (driver === "process") {
    const source = await realpath(hostBinary());
    for (const build of builds) {
      const binDir = join(dir, "engines", tagOf(build));
      await mkdir(binDir, { recursive: true });
      await copyFile(source, join(binDir, "redis-server"));
      await chmod(join(binDir, "redis-server"), 0o755);
      where.set(key(build), join(binDir, "redis-server"));
    }
    const brokenDir = join(dir, "engines", tagOf(BROKEN));
    await mkdir(brokenDir, { recursive: true });
    await writeFile(join(brokenDir, "redis-server"), "#!/bin/sh\necho 'this build is broken' >&2\nexit 1\n", { mode: 0o755 });
    where.set(key(BROKEN), join(brokenDir, "redis-server"));
    return {
      catalogue: [...builds, BROKEN].map((b) => ({ ...b, binary: where.get(key(b))! })),
      expected: (b) => where.get(key(b))!,
    };
  }
  const [repo] = LOCAL_IMAGE.split(":") as [string];
  for (const build of builds) {
    await docker.getImage(LOCAL_IMAGE).tag({ repo, tag: tagOf(build) });
    where.set(key(build), `${repo}:${tagOf(build)}`);
  }
  // An image whose PATH finds no redis-server: the container is made, and cannot start.
  const broken = `${repo}:${tagOf(BROKEN)}`;
  const exists = await docker
    .getImage(broken)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (!exists) {
    const scratch = await docker.createContainer({ Image: LOCAL_IMAGE, Labels: { "cacheplane.test": "broken-image" } });
    try {
      await scratch.commit({ repo, tag: tagOf(BROKEN), changes: ["ENV PATH=/nonexistent"] });
    } finally {
      await scratch.remove({ force: true });
    }
  }
  where.set(key(BROKEN), `${repo}:${tagOf(BROKEN)}`);
  return {
    catalogue: [...builds, BROKEN].map((b) => ({ ...b, image: where.get(key(b))! })),
    expected: (b) => where.get(key(b))!,
  };
}

/** What a node runs right now: the real path of its process's executable, or its container's
 *  image; undefined when nothing runs for it. */
export async function runningEngine(cp: TestControlPlane, nodeId: string): Promise<string | undefined> {
  if (cp.driver === "process") {
    const [proc] = await processesUnder(join(cp.nodesRoot, nodeId));
    return proc ? realpath(`/proc/${proc.pid}/exe`) : undefined;
  }
  const [container] = await docker.listContainers({ filters: { label: [`${DOCKER_LABELS.node}=${nodeId}`, `${DOCKER_LABELS.root}=${cp.nodesRoot}`] } });
  return container ? (await docker.getContainer(container.Id).inspect()).Config.Image : undefined;
}

/** For a suite: a control plane whose catalogue has the test builds, made in beforeAll and
 *  removed (with the builds) in afterAll. Read `cp` and `engines` inside the tests. */
export function useEnginesControlPlane(driver: Driver, options: Omit<TestControlPlaneOptions, "driver" | "engines"> = {}) {
  const suite = {} as { cp: TestControlPlane; engines: TestEngines };
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cacheplane-engines-"));
    suite.engines = await makeEngines(driver, dir);
    suite.cp = await startTestControlPlane({ ...options, driver, engines: suite.engines.catalogue });
  });
  afterAll(async () => {
    await suite.cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return suite;
}

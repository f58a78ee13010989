// `cacheplane keys` with roles, run as a user would against a real control plane (no worker:
// nothing here needs an instance to become READY).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../../../test/support/control-plane.js";
import { expectOneErrorLine, parseEnv, runCli } from "./run-cli.js";

let cp: TestControlPlane;
let env: Record<string, string>;
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { ...env, ...extra });

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  env = { CACHEPLANE_URL: cp.url, CACHEPLANE_API_KEY: ADMIN_KEY, CACHEPLANE_DATA_DIR: cp.dataDir };
});
afterAll(async () => {
  await cp?.stop();
});

describe("cacheplane keys", () => {
  it("documents --role in --help", async () => {
    const [group, create] = await Promise.all([cli(["keys", "--help"]), cli(["keys", "create", "--help"])]);
    expect(group.stdout).toMatch(/^Usage: cacheplane keys <command>/);
    expect(group.stdout).toMatch(/create <display-name>\s+Create an API key/);
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^Usage: cacheplane keys create <display-name> \[--role ROLE\]/);
    expect(create.stdout).toMatch(/--role ROLE\s+viewer \(read only, no secrets\)/);
  });

  it("creates a viewer key that reads but is refused a change (exit 6)", async () => {
    const created = await cli(["keys", "create", "dashboards", "--role", "viewer", "-o", "json"]);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ displayName: "dashboards", role: "viewer", projects: ["default"] });

    const asViewer = { CACHEPLANE_API_KEY: key.keyString };
    const listed = await cli(["instances", "list", "-o", "json"], asViewer);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const refused = await cli(["instances", "create", "nope"], asViewer);
    expect(refused.code).toBe(6);
    expectOneErrorLine(refused, /role viewer may only read; createInstance needs write access .*\(PERMISSION_DENIED\)/);
    const noKeys = await cli(["keys", "create", "escalate", "--role", "admin"], asViewer);
    expect(noKeys.code).toBe(6);
  });

  it("shows the role, defaults to editor, and makes an admin key for every project", async () => {
    const editor = await cli(["keys", "create", "ci pipeline"]);
    expect(editor.code, editor.stderr).toBe(0);
    expect(editor.stdout).toMatch(/^role:\s+editor$/m);
    expect(editor.stdout).toMatch(/^projects:\s+default$/m);

    const admin = parseEnv((await cli(["keys", "create", "ops", "--role", "admin", "-o", "env"])).stdout);
    const listed = await cli(["keys", "list", "-o", "json"], { CACHEPLANE_API_KEY: admin.CACHEPLANE_API_KEY });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).find((k: any) => k.displayName === "ops")).toMatchObject({ role: "admin", projects: ["*"] });
  });

  it("refuses an admin key with projects (the API, exit 2) and an unknown role (usage, exit 2)", async () => {
    const scoped = await cli(["keys", "create", "x", "--role", "admin", "--scope", "default"]);
    expect(scoped.code).toBe(2);
    expectOneErrorLine(scoped, /projects: an admin key acts on every project/);
    const unknown = await cli(["keys", "create", "x", "--role", "owner"]);
    expect(unknown.code).toBe(2);
    expectOneErrorLine(unknown, /--role must be one of admin, editor, viewer \(got 'owner'\)/);
  });
});

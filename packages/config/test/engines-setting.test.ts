// CACHEPLANE_ENGINES, parsed by @cacheplane/config: one clear line for every bad value.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "@cacheplane/config";

const load = (engines: string | undefined) => loadSettings({ CACHEPLANE_DATA_DIR: "/tmp/cacheplane-test", CACHEPLANE_ENGINES: engines });
const json = (v: unknown) => JSON.stringify(v);
const redis72 = { redisVersion: "REDIS_7_2", maintenanceVersion: "20261101_00_00", binary: "/opt/redis/bin/redis-server" };
const valkey80 = { redisVersion: "VALKEY_8_0", maintenanceVersion: "20261115_00_00", image: "valkey/valkey:8.0" };

/** The one line the setting fails with. */
function errorOf(engines: string): string {
  try {
    load(engines);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a SettingsError");
}

const dir = mkdtempSync(join(tmpdir(), "cacheplane-engines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("CACHEPLANE_ENGINES", () => {
  it("is undefined when unset", () => {
    expect(load(undefined).engines).toBeUndefined();
  });
  it("reads inline JSON", () => {
    expect(load(json([redis72, valkey80])).engines).toEqual([redis72, valkey80]);
    expect(load(json([{ redisVersion: "REDIS_6_X", maintenanceVersion: "20261101_00_00" }])).engines).toEqual([
      { redisVersion: "REDIS_6_X", maintenanceVersion: "20261101_00_00" },
    ]);
  });
  it("reads @file", () => {
    const path = file("engines.json", json([valkey80, redis72]));
    expect(load(`@${path}`).engines).toEqual([valkey80, redis72]);
  });

  it("refuses bad JSON, inline and in a file, naming the file", () => {
    expect(errorOf("[{")).toMatch(/^CACHEPLANE_ENGINES: not valid JSON: /);
    const path = file("broken.json", '[{"redisVersion":\n"REDIS_7_2",\n}]');
    expect(errorOf(`@${path}`)).toMatch(new RegExp(`^CACHEPLANE_ENGINES: not valid JSON \\(in ${path}\\): `));
  });
  it("refuses a missing file, and an @ with no file", () => {
    expect(errorOf(`@${join(dir, "absent.json")}`)).toBe(`CACHEPLANE_ENGINES: no such file ${join(dir, "absent.json")}`);
    expect(errorOf("@")).toBe("CACHEPLANE_ENGINES: name a file after @, as @/path/to/engines.json");
  });
  it("refuses an empty value or file rather than taking it as unset", () => {
    expect(errorOf("")).toBe("CACHEPLANE_ENGINES: is empty; unset it for the default engines");
    const path = file("empty.json", "\n");
    expect(errorOf(`@${path}`)).toBe(`CACHEPLANE_ENGINES: is empty (in ${path}); unset it for the default engines`);
  });
  it("refuses an empty list, and anything but a list", () => {
    expect(errorOf("[]")).toBe("CACHEPLANE_ENGINES: must list at least one engine");
    expect(errorOf(json(redis72))).toBe("CACHEPLANE_ENGINES: must be a JSON list of {redisVersion, maintenanceVersion, binary?, image?}");
  });
  it("refuses a bad redisVersion, naming the entry", () => {
    expect(errorOf(json([redis72, { ...valkey80, redisVersion: "VALKEY_8" }]))).toBe(
      "CACHEPLANE_ENGINES[1].redisVersion: must look like REDIS_7_2, REDIS_6_X or VALKEY_8_0",
    );
    expect(errorOf(json([{ maintenanceVersion: "20261101_00_00" }]))).toMatch(/^CACHEPLANE_ENGINES\[0\]\.redisVersion: /);
  });
  it("refuses a bad maintenanceVersion", () => {
    expect(errorOf(json([{ ...redis72, maintenanceVersion: "2026-11-01" }]))).toBe("CACHEPLANE_ENGINES[0].maintenanceVersion: must look like 20261115_00_00");
  });
  it("refuses a (redisVersion, maintenanceVersion) pair listed twice", () => {
    expect(errorOf(json([redis72, valkey80, { ...redis72, binary: "/usr/bin/redis-server" }]))).toBe(
      "CACHEPLANE_ENGINES[2]: lists REDIS_7_2@20261101_00_00 twice",
    );
  });
  it("refuses a relative binary path", () => {
    expect(errorOf(json([{ ...redis72, binary: "bin/redis-server" }]))).toBe("CACHEPLANE_ENGINES[0].binary: must be an absolute path");
  });
  it("refuses an image with spaces, and unknown keys (a typo would otherwise be ignored)", () => {
    expect(errorOf(json([{ ...valkey80, image: "valkey 8" }]))).toBe("CACHEPLANE_ENGINES[0].image: must be an image reference such as redis:7.2");
    expect(errorOf(json([{ ...redis72, binnary: "/x" }]))).toMatch(/^CACHEPLANE_ENGINES\[0\]: .*binnary/);
  });
  it("names the file when an entry in it is wrong", () => {
    const path = file("bad-version.json", json([{ ...redis72, redisVersion: "REDIS_8" }]));
    expect(errorOf(`@${path}`)).toBe(`CACHEPLANE_ENGINES[0].redisVersion: must look like REDIS_7_2, REDIS_6_X or VALKEY_8_0 (in ${path})`);
  });
});

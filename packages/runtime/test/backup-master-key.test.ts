import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BackupTamperedError, loadMasterKey, newDataKey, unwrapDataKey, wrapDataKey } from "../src/backup/index.js";

const root = mkdtempSync(path.join(os.tmpdir(), "cacheplane-master-key-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => path.join(root, `d${++dirs}`);

describe("loadMasterKey", () => {
  it("creates {dataDir}/master.key with mode 0600 and reads the same key back", async () => {
    const dataDir = freshDir();
    const key = await loadMasterKey({ dataDir });
    expect(key).toHaveLength(32);
    const file = path.join(dataDir, "master.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).equals(key)).toBe(true);
    expect((await loadMasterKey({ dataDir })).equals(key)).toBe(true);
    expect(readdirSync(dataDir)).toEqual(["master.key"]);
  });

  it("lets CACHEPLANE_MASTER_KEY win over the file, as base64, base64url or hex", async () => {
    const dataDir = freshDir();
    await loadMasterKey({ dataDir });
    const wanted = randomBytes(32);
    for (const text of [wanted.toString("base64"), wanted.toString("base64url"), wanted.toString("hex"), `${wanted.toString("hex").toUpperCase()}\n`]) {
      expect((await loadMasterKey({ dataDir, fromEnv: text })).equals(wanted)).toBe(true);
    }
  });

  it("does not create a key file when the env value is used", async () => {
    const dataDir = freshDir();
    await loadMasterKey({ dataDir, fromEnv: randomBytes(32).toString("hex") });
    expect(() => statSync(path.join(dataDir, "master.key"))).toThrow(/ENOENT/);
  });

  it("refuses a malformed env value, naming the variable but never the value", async () => {
    const bad = [
      randomBytes(31).toString("base64"),
      randomBytes(33).toString("hex"),
      `${randomBytes(32).toString("hex").slice(0, 63)}g`,
      `${randomBytes(32).toString("base64").slice(0, 40)}!!!=`,
      "",
    ];
    for (const value of bad) {
      const err = await loadMasterKey({ dataDir: freshDir(), fromEnv: value }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      const { message, stack } = err as Error;
      expect(message).toMatch(/CACHEPLANE_MASTER_KEY/);
      if (value.length > 0) {
        expect(message).not.toContain(value);
        expect(stack).not.toContain(value);
      }
    }
  });

  it("refuses a key file readable by others", async () => {
    const dataDir = freshDir();
    await loadMasterKey({ dataDir });
    const file = path.join(dataDir, "master.key");
    chmodSync(file, 0o644);
    await expect(loadMasterKey({ dataDir })).rejects.toThrow(/mode 0644, wider than 0600/);
    chmodSync(file, 0o700);
    await expect(loadMasterKey({ dataDir })).rejects.toThrow(/mode 0700/);
    chmodSync(file, 0o400);
    expect(await loadMasterKey({ dataDir })).toHaveLength(32);
  });

  it("refuses a key file of the wrong size instead of using it", async () => {
    const dataDir = freshDir();
    await loadMasterKey({ dataDir });
    writeFileSync(path.join(dataDir, "master.key"), randomBytes(16), { mode: 0o600 });
    await expect(loadMasterKey({ dataDir })).rejects.toThrow(/corrupt: it holds 16 bytes/);
  });

  it("gives concurrent first calls one and the same key", async () => {
    const dataDir = freshDir();
    const keys = await Promise.all(Array.from({ length: 16 }, () => loadMasterKey({ dataDir })));
    const file = readFileSync(path.join(dataDir, "master.key"));
    for (const key of keys) expect(key.equals(file)).toBe(true);
    expect(readdirSync(dataDir)).toEqual(["master.key"]);
  });

  it("gives separate processes starting at the same moment one and the same key", async () => {
    const dataDir = freshDir();
    const module = fileURLToPath(new URL("../src/backup/master-key.ts", import.meta.url));
    // Each child waits for the same instant, so the creations really race instead of following
    // each other by a process start-up time.
    const script = `
      import { loadMasterKey } from ${JSON.stringify(module)};
      await new Promise((r) => setTimeout(r, Number(process.argv[2]) - Date.now()));
      process.stdout.write((await loadMasterKey({ dataDir: process.argv[1] })).toString("hex"));`;
    const startAt = String(Date.now() + 3000);
    const run = () => promisify(execFile)(process.execPath, ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", script, dataDir, startAt]);
    const outputs = await Promise.all(Array.from({ length: 4 }, run));
    const file = readFileSync(path.join(dataDir, "master.key")).toString("hex");
    expect(outputs.map((o) => o.stdout)).toEqual([file, file, file, file]);
    expect(readdirSync(dataDir)).toEqual(["master.key"]);
  });
});

describe("wrapDataKey / unwrapDataKey", () => {
  const master = randomBytes(32);

  it("round-trips a data key in the v1 text form, with a fresh IV each time", () => {
    const dataKey = newDataKey();
    expect(dataKey).toHaveLength(32);
    const wrapped = wrapDataKey(master, dataKey);
    expect(wrapped).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(unwrapDataKey(master, wrapped).equals(dataKey)).toBe(true);
    expect(wrapDataKey(master, dataKey)).not.toBe(wrapped);
    expect(newDataKey().equals(dataKey)).toBe(false);
  });

  it("throws BackupTamperedError for a wrong master key", () => {
    const wrapped = wrapDataKey(master, newDataKey());
    expect(() => unwrapDataKey(randomBytes(32), wrapped)).toThrow(BackupTamperedError);
  });

  it("throws BackupTamperedError for any altered or malformed text", () => {
    const wrapped = wrapDataKey(master, newDataKey());
    const flipped = (i: number) => {
      const c = wrapped[i]!;
      return wrapped.slice(0, i) + (c === "A" ? "B" : "A") + wrapped.slice(i + 1);
    };
    const parts = wrapped.split(".");
    const cases = [
      ...Array.from({ length: wrapped.length - 3 }, (_, i) => i + 3)
        .filter((i) => wrapped[i] !== ".")
        .map(flipped),
      wrapped.slice(0, -1),
      `${wrapped}A`,
      ["v2", ...parts.slice(1)].join("."),
      parts.slice(0, 3).join("."),
      `${wrapped}.x`,
      [parts[0], parts[1], parts[2]!.slice(0, 20), parts[3]].join("."),
      "",
    ];
    for (const text of cases) expect(() => unwrapDataKey(master, text), text).toThrow(BackupTamperedError);
  });

  it("rejects keys of the wrong length as a programming error", () => {
    expect(() => wrapDataKey(randomBytes(16), newDataKey())).toThrow(TypeError);
    expect(() => wrapDataKey(master, randomBytes(31))).toThrow(TypeError);
  });
});

// First-start setup: the `default` project and the admin key (role admin, every project; a
// start repairs it if the row says otherwise). The admin key comes from
// CACHEPLANE_ADMIN_KEY when given; otherwise one is generated once, shown once, and kept in
// a 0600 file in the data dir so the person who started cacheplane can read it again.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PrismaClient } from "@cacheplane/db";
import { generateKey, hashKey } from "./api-keys.js";

export const ADMIN_KEY_ID = "admin";
export const ADMIN_KEY_FILE = "admin-key";

export interface BootstrapResult {
  adminKey?: string;
  /** True when the key was generated now and should be printed once. */
  generated: boolean;
  keyFile?: string;
}

export async function bootstrap(prisma: PrismaClient, opts: { adminKey?: string | undefined; dataDir: string }): Promise<BootstrapResult> {
  await prisma.project.upsert({ where: { id: "default" }, create: { id: "default" }, update: {} });
  if (opts.adminKey) {
    const hash = hashKey(opts.adminKey);
    await prisma.apiKey.upsert({
      where: { id: ADMIN_KEY_ID },
      create: { id: ADMIN_KEY_ID, name: "admin", hash, projects: ["*"], role: "admin" },
      update: { hash, revokeTime: null, projects: ["*"], role: "admin" },
    });
    return { adminKey: opts.adminKey, generated: false };
  }
  const keyFile = join(opts.dataDir, ADMIN_KEY_FILE);
  const existing = await prisma.apiKey.findUnique({ where: { id: ADMIN_KEY_ID } });
  if (existing) {
    if (existing.role !== "admin" || existing.projects.join() !== "*") {
      await prisma.apiKey.update({ where: { id: ADMIN_KEY_ID }, data: { role: "admin", projects: ["*"] } });
    }
    const saved = await readFile(keyFile, "utf8").then(
      (s) => s.trim(),
      () => undefined,
    );
    return { adminKey: saved && hashKey(saved) === existing.hash ? saved : undefined, generated: false, keyFile };
  }
  const { key } = generateKey();
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
  await prisma.apiKey.create({ data: { id: ADMIN_KEY_ID, name: "admin", hash: hashKey(key), projects: ["*"], role: "admin" } });
  return { adminKey: key, generated: true, keyFile };
}

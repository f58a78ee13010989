// The web console in a real browser (Debian's Chromium through playwright-core) against a real
// control plane: sign in, a create refused by the API with its message next to the field, then
// accepted and READY, a failover seen in the topology, charts drawn from the worker's samples, a
// confirmed delete, and a phone's width without horizontal scrolling. Screenshots go to
// test-artifacts/console/. A machine without Chromium fails this file: scripts/test-services.sh
// installs it.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("../../test-artifacts/console/", import.meta.url);
const BASE = "/v1/projects/default/locations/local1/instances";
const ID = "console-ha";

let cp: TestControlPlane;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
const primaryNode = () => page.locator('.topology [data-role="PRIMARY"]').getAttribute("data-node");

describe("the web console", () => {
  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/test-services.sh (it installs Debian's chromium)`).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    // A sample a second (the product samples every 10 s), so the charts have points within seconds.
    cp = await startTestControlPlane({ driver: "process", metricsIntervalMs: 1000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    // Leave the console first: its polls end, so no request is in flight when the api closes.
    await page?.goto("about:blank").catch(() => undefined);
    await browser?.close();
    await cp?.stop();
  });

  it("is served at /console with content types, and says how to build what is missing", async () => {
    // Each body is read to its end: an unread one keeps its connection busy and the api's close waiting.
    const get = async (path: string) => {
      const res = await fetch(`${cp.url}${path}`);
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    };
    const index = await get("/console");
    expect(index.status).toBe(200);
    expect(index.type).toMatch(/^text\/html/);
    expect(index.text).toContain("/console/app.js");
    expect((await get("/console/app.js")).type).toMatch(/^text\/javascript/);
    expect((await get("/console/app.css")).type).toMatch(/^text\/css/);
    expect((await get("/console/..%2Fpackage.json")).status).toBe(404);
    // A file the build did not write (as every file is before `npm run build`) says what to do.
    const missing = await get("/console/not-built.js");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("run `npm run build`");
  });

  it("signs in with an API key, refusing a wrong one in the API's words", async () => {
    await page.goto(`${cp.url}/console`);
    await page.fill("#api-key", "cp_not_a_key");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("#sign-in-error").textContent()).toContain("UNAUTHENTICATED");
    await page.fill("#api-key", ADMIN_KEY);
    await page.click("button[type=submit]");
    await page.getByRole("heading", { name: "Instances and clusters" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("cacheplane.apiKey"))).toBe(ADMIN_KEY);
    await shot("01-list-empty");
  });

  it("shows the API's field violation next to the field, then creates a STANDARD_HA instance that becomes READY", async () => {
    await page.getByRole("link", { name: "Create instance" }).click();
    await page.fill("#instanceId", ID);
    await page.selectOption("#tier", "STANDARD_HA");
    await page.fill("#memorySizeGb", "0");
    await page.click("button[type=submit]");
    const violation = page.locator('.violation[data-field="memorySizeGb"]');
    await violation.waitFor();
    // The very words the API answers with, not the console's own.
    const refused = await cp.api("POST", `${BASE}?instanceId=other`, { tier: "STANDARD_HA", memorySizeGb: 0, replicaCount: 1 });
    const expected = refused.body.error.details[0].fieldViolations.find((v: any) => v.field === "memorySizeGb").description;
    expect(await violation.textContent()).toBe(expected);
    await shot("02-create-refused");

    await page.fill("#memorySizeGb", "1");
    await page.check("#authEnabled");
    await page.click("button[type=submit]");
    await page.waitForURL(`**/console#/instances/${ID}`);
    await expect.poll(() => page.locator(".detail .heading .badge").textContent(), { timeout: 30_000 }).toBe("READY");
    await expect.poll(() => page.locator(".topology [data-node]").count()).toBe(2);
    // The tray shows the create's Operation until it is done.
    await expect.poll(() => page.locator('.tray [data-verb="create"]').getAttribute("data-done")).toBe("true");
    await shot("03-detail-ready");
  });

  it("shows connection strings, and the AUTH string only when asked", async () => {
    const instance = (await cp.api("GET", `${BASE}/${ID}`)).body;
    const auth = (await cp.api("GET", `${BASE}/${ID}/authString`)).body.authString;
    const cli = page.getByLabel("Primary endpoint, redis-cli", { exact: true });
    expect(await cli.inputValue()).toBe(`redis-cli -h ${instance.host} -p ${instance.port}`);
    expect(await page.getByLabel("Primary endpoint, URL", { exact: true }).inputValue()).toBe(`redis://${instance.host}:${instance.port}`);
    expect(await page.content()).not.toContain(auth);
    await page.getByRole("button", { name: "Show AUTH string" }).click();
    await expect.poll(() => page.getByLabel("AUTH string", { exact: true }).inputValue()).toBe(auth);
    expect(await cli.inputValue()).toBe(`redis-cli -h ${instance.host} -p ${instance.port} -a ${auth}`);
    await page.getByRole("button", { name: "Hide AUTH string" }).click();
    expect(await page.content()).not.toContain(auth);
  });

  it("fails over and shows the primary move in the topology", async () => {
    const before = await primaryNode();
    expect(before).toBeTruthy();
    await page.getByRole("button", { name: "Fail over" }).click();
    await expect.poll(() => page.locator('.tray [data-verb="failover"]').getAttribute("data-done"), { timeout: 30_000 }).toBe("true");
    await expect.poll(primaryNode, { timeout: 15_000 }).not.toBe(before);
    await page.getByRole("heading", { name: "Events" }).scrollIntoViewIfNeeded();
    await shot("04-failed-over");
  });

  it("draws the charts from the worker's samples", async () => {
    for (const metric of ["memory_usage_ratio", "connected_clients"]) {
      const chart = page.locator(`figure[data-metric="${metric}"]`);
      await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await chart.locator("canvas").count()).toBe(1);
    }
    await page.getByRole("heading", { name: "Metrics" }).scrollIntoViewIfNeeded();
    await shot("05-charts");
  });

  it("shows a node's own log lines, the primary's first, and another node's when chosen", async () => {
    const logs = page.locator("pre.logs");
    const primary = await primaryNode();
    await expect.poll(() => logs.getAttribute("data-node"), { timeout: 10_000 }).toBe(primary);
    await expect.poll(() => logs.textContent(), { timeout: 10_000 }).toContain("Ready to accept connections");
    const replica = await page.locator('.topology [data-role="REPLICA"]').first().getAttribute("data-node");
    await page.getByLabel("Node", { exact: true }).selectOption(replica!);
    await expect.poll(() => logs.getAttribute("data-node"), { timeout: 10_000 }).toBe(replica);
    await expect.poll(() => logs.textContent(), { timeout: 10_000 }).toMatch(/MASTER <-> REPLICA sync|Connecting to MASTER/);
    await page.getByRole("heading", { name: "Node logs" }).scrollIntoViewIfNeeded();
    await shot("06-node-logs");
  });

  it("fits a phone's width (360 px) without horizontal scrolling, the list as cards", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
    expect(await fits()).toBe(true);
    await shot("07-detail-phone");
    await page.goto(`${cp.url}/console#/`);
    await page.locator(`[data-resource="${ID}"]`).waitFor();
    expect(await page.locator(".resources thead").isVisible()).toBe(false);
    expect(await fits()).toBe(true);
    await shot("08-list-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("deletes the instance after a confirmation naming it", async () => {
    await page.goto(`${cp.url}/console#/instances/${ID}`);
    await page.getByRole("button", { name: "Delete…" }).click();
    const dialog = page.locator("dialog.confirm");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(ID);
    const confirm = dialog.getByRole("button", { name: `Delete ${ID}` });
    expect(await confirm.isDisabled()).toBe(true);
    await page.fill("#confirm-input", ID);
    await shot("09-delete-confirm");
    await confirm.click();
    await page.waitForURL("**/console#/");
    await expect.poll(() => page.locator('.tray [data-verb="delete"]').getAttribute("data-done"), { timeout: 30_000 }).toBe("true");
    await expect.poll(async () => (await cp.api("GET", `${BASE}/${ID}`)).status, { timeout: 15_000 }).toBe(404);
    await expect.poll(() => page.locator(`[data-resource="${ID}"]`).count(), { timeout: 10_000 }).toBe(0);
  });

  it("fails and recovers a zone with an admin key, and shows the API's refusal to an editor", async () => {
    await page.goto(`${cp.url}/console#/zones`);
    const zone = page.locator('[data-zone="local1-c"]');
    await zone.getByRole("button", { name: "Fail" }).click();
    await expect.poll(() => zone.getAttribute("data-state")).toBe("DOWN");
    await shot("10-zone-down");
    await zone.getByRole("button", { name: "Recover" }).click();
    await expect.poll(() => zone.getAttribute("data-state")).toBe("UP");

    const editor = (await cp.api("POST", "/v1/apiKeys", { displayName: "console-editor", projects: ["default"], role: "editor" })).body.keyString;
    await page.getByRole("button", { name: "Sign out" }).click();
    expect(await page.evaluate(() => sessionStorage.getItem("cacheplane.apiKey"))).toBeNull();
    await page.fill("#api-key", editor);
    await page.click("button[type=submit]");
    await page.getByRole("heading", { name: "Zones of local1" }).waitFor();
    await zone.getByRole("button", { name: "Fail" }).click();
    await expect.poll(() => page.locator("section > .error").first().textContent()).toContain("PERMISSION_DENIED");
    expect(await zone.getAttribute("data-state")).toBe("UP");
    await shot("11-zone-refused");
  });
});

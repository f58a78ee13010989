// The queue's Redis goes away (stopped, or partitioned) while mutations arrive: each answers
// promptly with its committed Operation instead of hanging until the client gives up, and once the
// queue is back the Operations are carried out with nothing asked again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENQUEUE_WAIT_MS } from "@cacheplane/api";
import { startTestControlPlane, TEST_REDIS_URL, type TestControlPlane } from "../support/control-plane.js";
import { startTcpProxy, type ProxyMode, type TcpProxy } from "../support/tcp-proxy.js";

const LOC = "/v1/projects/queue-outage/locations/local1";

let cp: TestControlPlane;
let proxy: TcpProxy;

beforeAll(async () => {
  const direct = new URL(TEST_REDIS_URL);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 6379) });
  cp = await startTestControlPlane({
    queueUrl: (url) => {
      const through = new URL(url);
      through.port = String(proxy.port);
      return through.toString();
    },
  });
});
afterAll(async () => {
  await proxy?.setMode("pass");
  await cp?.stop();
  await proxy?.close();
});

describe.each<ProxyMode>(["refuse", "blackhole"])("with the queue's Redis %s", (mode) => {
  it("answers a create at once with its Operation, and carries it out when the queue is back", async () => {
    await proxy.setMode(mode);
    const started = Date.now();
    const created = await cp.api("POST", `${LOC}/instances?instanceId=q-${mode}`, { tier: "BASIC", memorySizeGb: 1 });
    const took = Date.now() - started;
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ done: false, metadata: { verb: "create" } });
    // Not a hang (before, it waited for the queue until the client gave up): the bounded wait
    // plus the request's own work, with room for a loaded machine.
    expect(took).toBeLessThan(ENQUEUE_WAIT_MS + 4_000);
    // Reads do not need the queue at all.
    expect((await cp.api("GET", `${LOC}/instances/q-${mode}`)).body.state).toBe("CREATING");

    await new Promise((r) => setTimeout(r, 1_000));
    await proxy.setMode("pass");
    const done = await cp.waitOperation(created.body.name, 60);
    expect(done.error).toBeUndefined();
    expect((await cp.api("GET", `${LOC}/instances/q-${mode}`)).body.state).toBe("READY");

    const removed = await cp.api("DELETE", `${LOC}/instances/q-${mode}`);
    expect((await cp.waitOperation(removed.body.name, 60)).error).toBeUndefined();
  });
});

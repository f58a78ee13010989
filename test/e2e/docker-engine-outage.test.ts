// The Docker engine goes away and comes back: the worker neither crashes nor touches the nodes
// blindly meanwhile, says why work is waiting, and catches up once the engine answers again.
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { startEngineProxy, type EngineProxy } from "../support/engine-proxy.js";
import { containersUnder } from "../support/containers.js";
import { waitFor } from "../support/processes.js";
import { endpointClient } from "../support/traffic.js";

const BASE = "/v1/projects/default/locations/local1/instances";
let cp: TestControlPlane;
let engine: EngineProxy;
const direct = new Dockerode();

beforeAll(async () => {
  engine = await startEngineProxy();
  cp = await startTestControlPlane({ driver: "docker", docker: engine.docker });
});
afterAll(async () => {
  await engine?.restore().catch(() => undefined);
  await cp?.stop();
  await engine?.close();
});

describe("a Docker engine outage", () => {
  it("is waited out: nodes keep serving, pending work resumes, a node that died is restarted", async () => {
    const first = await cp.api("POST", `${BASE}?instanceId=steady`, { tier: "BASIC", memorySizeGb: 1 });
    await cp.waitOperation(first.body.name);
    const steady = (await cp.api("GET", `${BASE}/steady`)).body;

    await engine.cut();
    // The data path does not need the engine.
    const client = endpointClient(steady.host, steady.port);
    expect(await client.set("during", "outage")).toBe("OK");

    const second = await cp.api("POST", `${BASE}?instanceId=while-down`, { tier: "BASIC", memorySizeGb: 1 });
    expect(second.status).toBe(200);
    const waiting = await waitFor("the operation to say why it waits", async () => {
      const op = (await cp.api("GET", `/v1/${second.body.name}`)).body;
      return /Docker engine is not available/.test(op.metadata.statusDetail) ? op : false;
    });
    expect(waiting.done).toBe(false);
    // Meanwhile the first instance's container dies (the engine is fine; we just cannot see it).
    const [container] = await containersUnder(cp.nodesRoot);
    await direct.getContainer(container!.Id).kill();
    expect(await containersUnder(cp.nodesRoot)).toHaveLength(1);

    await engine.restore();
    const done = await cp.waitOperation(second.body.name);
    expect(done.error).toBeUndefined();
    expect(done.response.state).toBe("READY");
    await waitFor("the dead node to serve again", async () => {
      const fresh = endpointClient(steady.host, steady.port);
      try {
        return (await fresh.ping()) === "PONG";
      } finally {
        fresh.disconnect();
      }
    });
    client.disconnect();
    expect(await containersUnder(cp.nodesRoot)).toHaveLength(2);
  });
});

import { describe, expect, it } from "vitest";
import { clusterRedisUrl, redisUrl } from "../src/index.js";

const at = { name: "projects/p/locations/l/instances/i", host: "127.0.0.1", port: 16379 };

describe("redisUrl", () => {
  it("is a plain URL without AUTH", () => {
    expect(redisUrl(at)).toBe("redis://127.0.0.1:16379");
  });

  it("keeps a generated (UUID) AUTH string readable, so redis-cli -u works too", () => {
    expect(redisUrl(at, "0b2e6384-32d1-460a-9cfe-38f75f6c3edc")).toBe("redis://:0b2e6384-32d1-460a-9cfe-38f75f6c3edc@127.0.0.1:16379");
  });

  it("percent-encodes anything a shell or an env file would treat specially, and decodes back", () => {
    const secret = "p@ss w'rd$~&\"é:/";
    const url = redisUrl(at, secret);
    expect(url).toMatch(/^redis:\/\/:[A-Za-z0-9%._-]+@127\.0\.0\.1:16379$/);
    expect(decodeURIComponent(new URL(url).password)).toBe(secret);
  });

  it("brackets IPv6 hosts and refuses an instance without an endpoint", () => {
    expect(redisUrl({ ...at, host: "::1" })).toBe("redis://[::1]:16379");
    expect(() => redisUrl({ name: at.name })).toThrow(/no endpoint/);
  });
});

describe("clusterRedisUrl", () => {
  const cluster = { name: "projects/p/locations/l/clusters/c", discoveryEndpoints: [{ address: "127.0.0.1", port: 20001 }] };

  it("is the discovery endpoint as redis://host:port (no AUTH: clusters have none here)", () => {
    expect(clusterRedisUrl(cluster)).toBe("redis://127.0.0.1:20001");
  });

  it("brackets IPv6 addresses and refuses a cluster without an endpoint", () => {
    expect(clusterRedisUrl({ ...cluster, discoveryEndpoints: [{ address: "::1", port: 20001 }] })).toBe("redis://[::1]:20001");
    expect(() => clusterRedisUrl({ name: cluster.name })).toThrow(/no discovery endpoint/);
    expect(() => clusterRedisUrl({ name: cluster.name, discoveryEndpoints: [] })).toThrow(/no discovery endpoint/);
  });
});

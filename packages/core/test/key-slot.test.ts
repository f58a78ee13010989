import { describe, expect, it } from "vitest";
import { crc16, keySlot } from "../src/key-slot.js";

describe("keySlot", () => {
  it("matches Redis Cluster's CRC16 and slots", () => {
    // The reference value from the Redis Cluster specification.
    expect(crc16(new TextEncoder().encode("123456789"))).toBe(0x31c3);
    // What CLUSTER KEYSLOT answers for these keys.
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("bar")).toBe(5061);
    expect(keySlot("")).toBe(0);
  });

  it("hashes only a non-empty hash tag", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
    expect(keySlot("{user1000}.followers")).toBe(keySlot("{user1000}.following"));
    expect(keySlot("foo{}{bar}")).toBe(keySlot("foo{}{bar}")); // empty first tag: the whole key
    expect(keySlot("foo{}{bar}")).not.toBe(keySlot("bar"));
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
    expect(keySlot(Buffer.from([0xff, 0x00, 0x7b, 0x61, 0x7d]))).toBe(keySlot("a"));
  });
});

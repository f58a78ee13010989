// SHA-256 and its HMAC from node:crypto, in the shape @smithy/signature-v4 wants, for tests that
// sign requests themselves (the SDK's own hash package is bundled where a test cannot import it).
import { createHash, createHmac } from "node:crypto";
import type { SourceData } from "@smithy/types";

const bytes = (data: SourceData) =>
  typeof data === "string" ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

// SigV4 as the MemoryDB API verifies it, against requests signed by the signer the AWS SDK itself
// uses (@smithy/signature-v4), so "verifies" means "an AWS client's request passes", and every
// part the signature covers (body, signed headers, path, query, date, secret) is shown to matter.
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { Sha256 } from "../../../test/support/sha256.js";
import { checkRequestTime, MAX_SKEW_MS, parseAuthorization, SignatureError, verifySignature, type SignedRequest } from "../src/memorydb/sigv4.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const NOW = new Date("2024-05-06T07:08:09Z");

interface Draft {
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  date?: Date;
  secret?: string;
  /** false signs as botocore (the aws CLI) does for JSON services: no x-amz-content-sha256 header. */
  applyChecksum?: boolean;
}

/** Signs as an AWS client would and returns the request as the server receives it. */
async function signed(draft: Draft = {}): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: "memorydb",
    region: "local1",
    credentials: { accessKeyId: "AKCPEXAMPLE", secretAccessKey: draft.secret ?? SECRET },
    sha256: Sha256,
    applyChecksum: draft.applyChecksum ?? true,
  });
  const body = draft.body ?? '{"ClusterName":"orders"}';
  const request = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 7700,
      path: draft.path ?? "/",
      query: draft.query ?? {},
      headers: {
        host: "127.0.0.1:7700",
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonMemoryDB.DescribeClusters",
        ...draft.headers,
      },
      body,
    },
    { signingDate: draft.date ?? NOW },
  );
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const query = Object.entries(request.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`))
    .join("&");
  return { method: request.method, path: request.path, query, headers, body: Buffer.from(body) };
}

/** What the protocol does with a request: parse, check the time, verify. */
function verify(request: SignedRequest, secret = SECRET, now = NOW) {
  const auth = parseAuthorization(request.headers.authorization as string | undefined);
  checkRequestTime(request, auth, now);
  verifySignature(request, auth, secret);
}

function refusal(fn: () => void): SignatureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SignatureError) return error;
    throw error;
  }
  throw new Error("the request was accepted");
}

const MISMATCH = /signature we calculated does not match/;

describe("SigV4 verification", () => {
  it("accepts a request signed by the AWS SDK's signer", async () => {
    const request = await signed();
    expect(() => verify(request)).not.toThrow();
    const auth = parseAuthorization(request.headers.authorization as string);
    expect(auth).toMatchObject({ accessKeyId: "AKCPEXAMPLE", date: "20240506", region: "local1", service: "memorydb" });
    expect(auth.signedHeaders).toEqual(expect.arrayContaining(["host", "x-amz-date", "x-amz-target", "content-type"]));
  });

  it("refuses a changed body, whether or not the client signed x-amz-content-sha256", async () => {
    const other = Buffer.from('{"ClusterName":"payments"}');
    // The AWS SDK for JavaScript signs the payload's hash as a header; the server must still hash
    // what arrived, or a body swapped in transit passes under the old header.
    const sdk = await signed();
    expect(sdk.headers["x-amz-content-sha256"]).toBeDefined();
    expect(refusal(() => verify({ ...sdk, body: other })).type).toBe("InvalidSignatureException");
    const cli = await signed({ applyChecksum: false });
    expect(cli.headers["x-amz-content-sha256"]).toBeUndefined();
    expect(() => verify(cli)).not.toThrow();
    expect(refusal(() => verify({ ...cli, body: other })).message).toMatch(MISMATCH);
  });

  it("refuses a changed signed header, but not an added unsigned one", async () => {
    const request = await signed();
    const target = { ...request, headers: { ...request.headers, "x-amz-target": "AmazonMemoryDB.DeleteCluster" } };
    expect(refusal(() => verify(target)).message).toMatch(MISMATCH);
    // A proxy may add headers the client did not sign; the signature says nothing of them.
    const added = { ...request, headers: { ...request.headers, "x-forwarded-for": "10.0.0.1" } };
    expect(() => verify(added)).not.toThrow();
  });

  it("refuses a changed path", async () => {
    const request = await signed();
    expect(refusal(() => verify({ ...request, path: "/other" })).message).toMatch(MISMATCH);
  });

  it("refuses a changed date: another time that day, or another day", async () => {
    const request = await signed();
    const later = { ...request, headers: { ...request.headers, "x-amz-date": "20240506T071009Z" } };
    expect(refusal(() => verify(later, SECRET, new Date("2024-05-06T07:10:09Z"))).message).toMatch(MISMATCH);
    const nextDay = { ...request, headers: { ...request.headers, "x-amz-date": "20240507T070809Z" } };
    expect(refusal(() => verify(nextDay, SECRET, new Date("2024-05-07T07:08:09Z"))).message).toMatch(/Date in Credential scope does not match/);
  });

  it("refuses another secret", async () => {
    const request = await signed({ secret: "another-secret-of-forty-characters-xxxxx" });
    expect(refusal(() => verify(request)).message).toMatch(MISMATCH);
  });

  it("allows 15 minutes of clock skew either way and no more", async () => {
    const minute = 60_000;
    expect(MAX_SKEW_MS).toBe(15 * minute);
    const at = (offset: number) => signed({ date: new Date(NOW.getTime() + offset) });
    for (const offset of [-14 * minute, 14 * minute]) {
      const request = await at(offset);
      expect(() => verify(request)).not.toThrow();
    }
    const stale = await at(-16 * minute);
    const old = refusal(() => verify(stale));
    expect(old.type).toBe("InvalidSignatureException");
    expect(old.message).toMatch(/^Signature expired: 20240506T065209Z is now earlier than 20240506T065309Z/);
    const early = await at(16 * minute);
    expect(refusal(() => verify(early)).message).toMatch(/^Signature not yet current/);
  });

  it("orders the canonical query by name then value, whatever order the client sent", async () => {
    const request = await signed({ query: { b: "2", a: ["3", "1"], "c d": "x~y" } });
    expect(() => verify(request)).not.toThrow();
    const reordered = { ...request, query: "c%20d=x~y&a=1&b=2&a=3" };
    expect(() => verify(reordered)).not.toThrow();
    // '+' in a query string is a space, as the client meant it.
    expect(() => verify({ ...request, query: "a=3&a=1&b=2&c+d=x%7Ey" })).not.toThrow();
    expect(refusal(() => verify({ ...request, query: "a=3&a=1&b=3&c%20d=x~y" })).message).toMatch(MISMATCH);
  });

  it("names what is missing from an unsigned or half-signed request", async () => {
    expect(refusal(() => parseAuthorization(undefined)).type).toBe("MissingAuthenticationTokenException");
    expect(refusal(() => parseAuthorization("Bearer cp_123")).type).toBe("IncompleteSignatureException");
    const request = await signed();
    const auth = parseAuthorization(request.headers.authorization as string);
    const withoutHost = { ...auth, signedHeaders: auth.signedHeaders.filter((h) => h !== "host") };
    expect(refusal(() => verifySignature(request, withoutHost, SECRET)).message).toMatch(/'Host' must be a 'SignedHeader'/);
    const { "x-amz-date": _, ...undated } = request.headers;
    expect(refusal(() => checkRequestTime({ ...request, headers: undated }, auth, NOW)).type).toBe("IncompleteSignatureException");
  });
});

// Every operation in the AWS SDK's MemoryDB model, called through the real client with an empty
// input and with a minimal one (each required string or number member given a name that exists
// nowhere): each must answer a result or one of its modelled 4xx faults, promptly. The command list
// and the faults come from the installed SDK itself, so an operation added to the model shows up
// here as missing. No worker: a create is accepted and stays creating, which is all this needs.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as memorydb from "@aws-sdk/client-memorydb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../support/control-plane.js";
import { memorydbClient } from "../support/memorydb.js";

const MODEL = fileURLToPath(new URL("../../node_modules/@aws-sdk/client-memorydb/dist-types/", import.meta.url));
/** MemoryDB's common errors, which any operation may answer for a malformed input. */
const COMMON_FAULTS = ["InvalidParameterValueException", "InvalidParameterCombinationException"];
const ANSWER_WITHIN_MS = 15_000;

// Any of the client's commands; each is sent with inputs built from the model, hence the loose input type.
type CommandClass = new (input: any) => Parameters<memorydb.MemoryDBClient["send"]>[0];

const commands = Object.entries(memorydb)
  // $Command is smithy's generic command builder, not an operation.
  .filter(([name, value]) => /^[A-Z][A-Za-z0-9]+Command$/.test(name) && typeof value === "function")
  .map(([name, value]) => ({ operation: name.slice(0, -"Command".length), Command: value as unknown as CommandClass }))
  .sort((a, b) => a.operation.localeCompare(b.operation));

/** The faults the model says an operation may answer (its @throws list). */
function modelledFaults(operation: string): string[] {
  const text = readFileSync(`${MODEL}commands/${operation}Command.d.ts`, "utf8");
  return [...text.matchAll(/@throws \{@link (\w+)\}/g)].map((m) => m[1]!).filter((name) => name !== "MemoryDBServiceException");
}

/** The input's required members the model gives as strings or numbers, each with a value. */
function minimalInput(operation: string): Record<string, unknown> {
  const models = readFileSync(`${MODEL}models/models_0.d.ts`, "utf8");
  const body = new RegExp(`export interface ${operation}Request \\{([\\s\\S]*?)\\n\\}`).exec(models)?.[1] ?? "";
  const input: Record<string, unknown> = {};
  for (const [, member, type] of body.matchAll(/^\s{4}(\w+): (string|number) \| undefined;$/gm)) {
    input[member!] = type === "number" ? 1 : `cp-absent-${member!.toLowerCase()}`;
  }
  return input;
}

let cp: TestControlPlane;
let client: memorydb.MemoryDBClient;

beforeAll(async () => {
  cp = await startTestControlPlane({ worker: false });
  client = await memorydbClient(cp);
});
afterAll(async () => {
  await cp?.stop();
});

/** What one call answered: "ok", or the fault's name and HTTP status. */
async function answerOf(Command: CommandClass, input: object): Promise<{ ok: true } | { fault: string; status?: number; message: string }> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS));
  try {
    await Promise.race([client.send(new Command(input)), timeout]);
    return { ok: true };
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    if (!e.$metadata) throw error;
    return { fault: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
}

describe("every MemoryDB operation in the SDK's model", () => {
  it("is enumerated from the SDK: one command class per command in its model", () => {
    const files = readdirSync(`${MODEL}commands`)
      .filter((f) => f.endsWith("Command.d.ts"))
      .map((f) => f.slice(0, -"Command.d.ts".length));
    expect(commands.map((c) => c.operation)).toEqual(files.sort((a, b) => a.localeCompare(b)));
    expect(commands.length).toBeGreaterThanOrEqual(45);
  });

  it.each(commands)("$operation answers a result or a modelled 4xx fault", async ({ operation, Command }) => {
    const allowed = [...modelledFaults(operation), ...COMMON_FAULTS];
    for (const input of [{}, minimalInput(operation)]) {
      const answer = await answerOf(Command, input);
      if ("ok" in answer) continue;
      const seen = `${operation}(${JSON.stringify(input)}) answered ${answer.fault} ${answer.status}: ${answer.message}`;
      expect(answer.fault, seen).not.toBe("UnknownOperationException");
      expect(answer.status, seen).toBeGreaterThanOrEqual(400);
      expect(answer.status, seen).toBeLessThan(500);
      expect(allowed, seen).toContain(answer.fault);
    }
  });
});

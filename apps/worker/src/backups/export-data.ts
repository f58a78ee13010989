// Exporting an instance's dataset (`:export`) as one plain RDB to a gs:// destination under the
// buckets root, taken as a backup is: from a replica when there is one, caught up first.
import { fetchRdb, InvalidBucketUriError, resolveForWrite } from "@cacheplane/runtime";
import type { WorkerContext } from "../context.js";
import type { StepInput } from "../reconcile/step-input.js";
import { CODES, DataJobError, dataJobOf, failDataJob, finishDataJob } from "./data-job.js";
import { catchUp } from "./take-backup.js";
import { adminTls } from "../tls/deployment-tls.js";
import { primaryIdOf } from "../reconcile/desired.js";

export async function exportData(ctx: WorkerContext, input: StepInput): Promise<void> {
  const { row, config, lease } = input;
  const job = dataJobOf(row);
  if (job?.kind !== "export") return;
  try {
    const dest = await resolveForWrite(ctx.backups.bucketsRoot, job.uri).catch((error) => {
      if (error instanceof InvalidBucketUriError) throw new DataJobError(CODES.INVALID_ARGUMENT, error.message);
      throw error;
    });
    const primary = row.nodes.find((n) => n.id === primaryIdOf(row));
    if (!primary) throw new Error("the instance has no primary yet");
    // The plan runs this only when every node is READY; catchUp proves the replica has the data.
    const source = row.nodes.find((n) => n.role === "REPLICA" && n.state === "READY") ?? primary;
    const password = config.requirepass || undefined;
    if (source !== primary) await catchUp(source, primary, password, adminTls(row));
    const { bytes } = await fetchRdb({ host: source.host, port: source.port, password, ...adminTls(row) }, dest);
    await finishDataJob(ctx, row, lease, "DATA_EXPORTED", `Exported ${bytes} bytes to ${job.uri}`);
  } catch (error) {
    if (!(error instanceof DataJobError)) throw error;
    await failDataJob(ctx, row, lease, job, error);
  }
}

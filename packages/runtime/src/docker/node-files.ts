// The files a container's node reads from its bind-mounted data dir: redis.conf (0600, may hold
// requirepass), its TLS files, and whatever else its server must write. When the driver runs as
// root and the node runs as another numeric user, each is handed to that user.
import { chmod, chown, mkdir, rename, writeFile } from "node:fs/promises";
import { NodeStartError } from "../errors.js";
import type { NodeSpec } from "../node-runtime.js";
import { MissingCertificateError, writeNodeTls } from "../tls/node-tls.js";

export function createNodeFiles(resolveUser: () => Promise<string | undefined>) {
  /** Files the node's server must write (its dir, its nodes.conf) belong to its user. */
  const handOver = async (...paths: string[]) => {
    const owner = /^(\d+):(\d+)$/.exec((await resolveUser()) ?? "");
    if (!owner || process.getuid?.() !== 0 || owner[0] === "0:0") return;
    for (const p of paths) await chown(p, Number(owner[1]), Number(owner[2]));
  };

  /** Writes redis.conf (0600, in a 0700 dir), handed to the node's user. */
  const writeConf = async (files: { dataDir: string; conf: string }, text: string) => {
    await mkdir(files.dataDir, { recursive: true, mode: 0o700 });
    await chmod(files.dataDir, 0o700);
    const tmp = `${files.conf}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode: 0o600 }); // may hold requirepass
    await handOver(files.dataDir, tmp);
    await rename(tmp, files.conf);
  };

  /** The node's TLS files (NodeSpec.tls), handed to the node's user. `required`: a start, which
   *  cannot go ahead without a certificate. */
  const writeTls = async (spec: NodeSpec, files: { dataDir: string }, required: boolean) => {
    try {
      await handOver(...(await writeNodeTls(spec.tls!, files.dataDir)).written);
    } catch (err) {
      if (!(err instanceof MissingCertificateError)) throw err;
      if (required) throw new NodeStartError(`node ${spec.id}: ${err.message}`);
    }
  };

  return { handOver, writeConf, writeTls };
}

// A node's own log lines (NodeRuntime.logs): the newest N lines of its redis.log, read from the
// end of the file backwards, so a node that has logged for months costs what N lines cost, never
// the whole file. Both drivers read the same file: the process driver points `logfile` (and the
// process's stdout and stderr) at it, the docker driver's container writes it through the bind
// mount of the data dir (a healthy container's own output is empty; docker/container-logs.ts).

import { open, readdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import { assertNodeId, isNodeId, nodeFiles } from "./config.js";

export interface LogsOptions {
  /** How many of the newest lines (at least 1). */
  tail: number;
}

/** What one answer may read at most: 10,000 lines of a few hundred bytes each fit easily; a file
 *  of one endless line (binary garbage) does not make the reader hold it all. */
export const MAX_LOG_BYTES = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** The last `tail` lines of a text file, oldest first; [] when it does not exist. A last line
 *  without its newline (being written) is a line; empty lines are kept, nothing is trimmed. */
export async function tailLines(file: string, tail: number, maxBytes = MAX_LOG_BYTES): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // tail lines need tail newlines before them (or the start of the file), plus the file's own
    // final newline, which ends the last line rather than starting a new one.
    while (position > 0 && newlines <= tail && size - position < maxBytes) {
      const length = Math.min(CHUNK, position, maxBytes - (size - position));
      position -= length;
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, position);
      const chunk = buffer.subarray(0, bytesRead);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
      chunks.unshift(chunk);
    }
    // Decoded once, so a character split across two chunks stays whole.
    const lines = Buffer.concat(chunks).toString("utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    // Cut mid-file: the first piece is the end of an older line, not a line.
    if (position > 0) lines.shift();
    return lines.slice(-tail);
  } finally {
    await handle.close();
  }
}

/** The node's redis.log under <nodesRoot>/<id>, as both drivers write it. Throws
 *  InvalidNodeSpecError for a string that is not a node id (it names a path). */
export function nodeLogFile(nodesRoot: string, nodeId: string): string {
  assertNodeId(nodeId);
  return nodeFiles(path.join(nodesRoot, nodeId)).log;
}

/** A node's redis.log becomes redis.log.1 (replacing the one before) once it passes this, so a
 *  node's log never takes more than twice this on disk. */
export const NODE_LOG_MAX_BYTES = 16 * 1024 * 1024;
const rotatedOf = (file: string) => `${file}.1`;

/** Renames the log to its .1 once it passes maxBytes. Redis opens its logfile afresh for every
 *  line (fopen in serverLogRaw), so its next line starts a new file: no signal, no copy, on both
 *  drivers (the container sees the rename through the bind mount). Only what a process driver's
 *  node prints to stdout itself, not through its log (nothing, once it has started), goes on into
 *  the renamed file. Returns whether it rotated. */
export async function rotateLog(file: string, maxBytes: number): Promise<boolean> {
  try {
    if ((await stat(file)).size <= maxBytes) return false;
    await rename(file, rotatedOf(file));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false; // no log, or destroyed meanwhile
    throw err;
  }
}

/** rotateLog over every node under nodesRoot (both drivers keep their nodes' logs there); the ids
 *  of the nodes whose log it rotated. */
export async function rotateNodeLogs(nodesRoot: string, maxBytes = NODE_LOG_MAX_BYTES): Promise<string[]> {
  let ids: string[];
  try {
    ids = (await readdir(nodesRoot, { withFileTypes: true })).filter((e) => e.isDirectory() && isNodeId(e.name)).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const rotated: string[] = [];
  for (const id of ids) if (await rotateLog(nodeLogFile(nodesRoot, id), maxBytes)) rotated.push(id);
  return rotated;
}

/** The newest `tail` lines of a node's log across a rotation: what redis.log lacks comes from the
 *  end of redis.log.1, oldest first. */
export async function tailNodeLog(file: string, tail: number): Promise<string[]> {
  const current = await tailLines(file, tail);
  if (current.length >= tail) return current;
  return [...(await tailLines(rotatedOf(file), tail - current.length)), ...current];
}

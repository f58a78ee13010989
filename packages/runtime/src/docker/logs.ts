// What a container printed, for the error of a node that failed to start: docker's framed log
// stream decoded, and any line that could hold a secret replaced.

/** Payload of docker logs (non-TTY: 8-byte frame headers before each chunk). */
export function demuxLogs(buffer: Buffer): string {
  let out = "";
  let i = 0;
  while (i + 8 <= buffer.length && (buffer[i] === 1 || buffer[i] === 2) && buffer[i + 1] === 0) {
    const size = buffer.readUInt32BE(i + 4);
    out += buffer.subarray(i + 8, i + 8 + size).toString("utf8");
    i += 8 + size;
  }
  return i === 0 ? buffer.toString("utf8") : out;
}

export const redact = (lines: string[]) => lines.map((l) => (/requirepass|masterauth/i.test(l) ? "[line with a secret redacted]" : l));

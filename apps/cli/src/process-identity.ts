// Whether the process a pid file names is still the one that wrote it. A pid alone can lie: after
// a crash and a reboot, or enough forks, the same number belongs to another process, and a zombie
// still answers kill(pid, 0). On Linux a process is identified by its start time (field 22 of
// /proc/<pid>/stat, in clock ticks since boot) together with the boot id; elsewhere only the pid
// is known and kill(pid, 0) decides.
import { readFileSync } from "node:fs";

function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** "<boot id>:<start time>" of a live process, or undefined where /proc is not there. */
export function identityOf(pid: number): string | undefined {
  const fields = stat(pid);
  const boot = bootId();
  // After the split, field 3 (state) is at index 0, so field 22 (start time) is at index 19.
  return fields && boot ? `${boot}:${fields[19]}` : undefined;
}

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
export function isRunning(pid: number): boolean {
  const fields = stat(pid);
  if (fields) return fields[0] !== "Z" && fields[0] !== "X";
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when `pid` runs and is the process `identity` was taken from (when one was recorded). */
export function isSameProcess(pid: number, identity: string | undefined): boolean {
  if (!isRunning(pid)) return false;
  if (identity === undefined) return true;
  const now = identityOf(pid);
  return now === undefined || now === identity;
}

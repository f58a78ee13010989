// Whether an error means "the database cannot be reached right now" (stopped, restarting, a
// network fault, a full pool) rather than a bad query: the API answers those 503 UNAVAILABLE,
// which clients retry, and recovers by itself when the database returns.
const PRISMA_UNAVAILABLE = new Set([
  "P1001", // can't reach database server
  "P1002", // reached, but timed out
  "P1008", // operation timed out
  "P1017", // server closed the connection
  "P2024", // timed out fetching a connection from the pool
]);
const SOCKET_UNAVAILABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "57P01", "57P03"]);
const MESSAGES =
  /Connection terminated|connection timeout|Can't reach database server|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (PRISMA_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code))) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
  }
  return false;
}

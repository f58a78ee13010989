// Telling the Docker engine's answers apart: an HTTP status (the engine answered: 404 is "no such
// thing", 409 "not in that state"), or a connection failure (the engine is not there at all,
// which the driver reports as RuntimeUnavailableError instead of "the node is gone").

const ENGINE_DOWN_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "EPERM", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

type DockerError = Error & { statusCode?: number; code?: string; json?: { message?: string } };
export const statusOf = (err: unknown) => (err as DockerError)?.statusCode;
export const messageOf = (err: unknown) => {
  const e = err as DockerError;
  return (e?.json?.message ?? e?.message ?? String(err)).trim();
};
export const isEngineDown = (err: unknown) => {
  const e = err as DockerError;
  return e?.statusCode === undefined && typeof e?.code === "string" && ENGINE_DOWN_CODES.has(e.code);
};

/** The driver's engine call: a time limit, and RuntimeUnavailableError when the engine is down. */
export type EngineCall = <T>(what: string, call: () => Promise<T>) => Promise<T>;

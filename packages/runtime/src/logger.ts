// The driver logs through whatever the app gives it (pino-compatible: fields first, then message).
// Config values never go into fields: they may hold requirepass.

type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface RuntimeLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => {};
export const silentLogger: RuntimeLogger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * The logging the library does: pino's call shape, so the service hands its pino logger straight in,
 * without the library depending on pino (an app passes its own logger, or none).
 */
type LogFn = (objOrMessage: unknown, message?: string) => void;

export interface Logger {
  info: LogFn;
  warn: LogFn;
}

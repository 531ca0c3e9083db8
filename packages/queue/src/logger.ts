/** The slice of a pino-style logger the engine uses; pass pino itself or anything alike. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Default: warnings and errors as JSON lines on stderr, nothing else. */
export const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: "warn", msg, ...obj })}\n`);
  },
  error(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: "error", msg, ...obj })}\n`);
  },
};

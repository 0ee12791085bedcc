import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Field names that may carry staff data. Staff names and ids appear only in their own
 * municipality's rota files, never in logs: pino censors these wherever they occur.
 */
const REDACTED_FIELDS = ["name", "employeeId", "employee_id", "staff", "staffName", "members"] as const;

const redactPaths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*[*].${field}`]);

export type LoggerOptions = {
  readonly level?: string | undefined;
  /**
   * Where JSON lines go: a stream, or a file descriptor (1 stdout, the default; 2 stderr, for
   * one-off commands whose stdout is their result).
   */
  readonly destination?: DestinationStream | 1 | 2 | undefined;
};

/** JSON logs (pino) with staff fields censored. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "testrota" },
      redact: { paths: redactPaths, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof options.destination === "object"
      ? options.destination
      : pino.destination({ dest: options.destination ?? 1, sync: true }),
  );
}

/** A logger that drops everything (tests, library use). */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}

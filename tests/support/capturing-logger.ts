import { createLogger, type Logger } from "../../src/log.ts";

export type CapturedLog = Readonly<Record<string, unknown>> & {
  readonly level: string;
  readonly msg: string;
};

/** A real (pino) logger whose JSON lines are parsed into `lines`, for asserting what was logged. */
export function createCapturingLogger(level = "debug"): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as CapturedLog);
      },
    },
  });
  return { logger, lines };
}

import type { Logger } from "../log.ts";

/**
 * Progress of a long command (`run`, `replay`, `whatif`) for the person waiting at a terminal.
 * On a terminal it is one line on stderr, redrawn in place (bar, percentage and phase); anywhere
 * else (a pipe, a file, cron, the container log) it becomes plain log lines at level `info`, one
 * per phase and tenth of the way, so nothing but the command's result reaches stdout and an
 * unattended job's stderr stays quiet unless the log level asks for it.
 */
export type Progress = {
  /** The work is in `phase`, with `fraction` (0–1) of the whole done. */
  update(phase: string, fraction: number): void;
  /** The work is over: a terminal line is cleared. */
  done(): void;
};

/** Where a terminal display is drawn (process.stderr; a fake in tests). */
export type ProgressStream = {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  /** The terminal's width in characters, when known. */
  readonly columns?: number | undefined;
};

export type ProgressOptions = {
  /** What is in progress, e.g. `run 2020-W44` or `whatif 2020-W36..2021-W10`. */
  readonly label: string;
  readonly stream?: ProgressStream | undefined;
  readonly logger?: Logger | undefined;
};

/** Progress that goes nowhere (library use, the worker's scheduled runs). */
export const silentProgress: Progress = { update: () => undefined, done: () => undefined };

const BAR_WIDTH = 20;
/** Move to the line's start and erase it (ANSI), so the next draw replaces it. */
const CLEAR_LINE = "\r\u001b[2K";

function clamp(fraction: number): number {
  return Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
}

/** One terminal line: `label  [#########...............]  37 %  phase`, cut to the width. */
export function formatProgressLine(label: string, phase: string, fraction: number, columns = 80): string {
  const filled = Math.round(clamp(fraction) * BAR_WIDTH);
  const percent = String(Math.floor(clamp(fraction) * 100)).padStart(3);
  const line = `${label}  [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${percent} %  ${phase}`;
  // One character short of the width: a full line would wrap on some terminals.
  const room = Math.max(20, columns - 1);
  return line.length > room ? `${line.slice(0, room - 1)}…` : line;
}

function createTerminalProgress(label: string, stream: ProgressStream): Progress {
  let shown = "";
  let active = false;
  return {
    update(phase, fraction) {
      // A pseudo-terminal may report 0 columns: treat it as unknown.
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
      const line = formatProgressLine(label, phase, fraction, columns);
      // Redraw only when the line changes: a replay reports thousands of tiny steps.
      if (line === shown) return;
      shown = line;
      active = true;
      stream.write(`${CLEAR_LINE}${line}`);
    },
    done() {
      if (active) stream.write(CLEAR_LINE);
      active = false;
      shown = "";
    },
  };
}

function createLogProgress(label: string, logger: Logger | undefined): Progress {
  let lastPhase: string | undefined;
  let lastTenth = -1;
  return {
    update(phase, fraction) {
      const percent = Math.floor(clamp(fraction) * 100);
      const tenth = Math.floor(percent / 10);
      if (phase === lastPhase && tenth === lastTenth) return;
      lastPhase = phase;
      lastTenth = tenth;
      logger?.info({ task: label, phase, percent }, "progress");
    },
    done: () => undefined,
  };
}

/** A terminal line when `stream` is a TTY, else log lines (see {@link Progress}). */
export function createProgress(options: ProgressOptions): Progress {
  return options.stream?.isTTY === true
    ? createTerminalProgress(options.label, options.stream)
    : createLogProgress(options.label, options.logger);
}

/**
 * The progress of one part of a larger task (one week of a replay): its 0–1 maps onto
 * `from`–`to` of the whole, and its phases are prefixed with `prefix`.
 */
export function partProgress(whole: Progress, prefix: string, from: number, to: number): Progress {
  return {
    update: (phase, fraction) => whole.update(`${prefix}: ${phase}`, from + (to - from) * clamp(fraction)),
    done: () => undefined,
  };
}

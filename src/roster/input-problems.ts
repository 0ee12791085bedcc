import { InputError } from "../errors.ts";

/**
 * One problem in an input file: where (file, line, column) and a message saying what was expected
 * and what was found. Messages never quote staff data (see `field-text.ts`).
 */
export type InputProblem = {
  readonly file: string;
  /** 1-based line of the CSV file (header = line 1); absent for problems of the whole file. */
  readonly line?: number;
  /** The column (header name) the problem is in; absent for whole rows or files. */
  readonly column?: string;
  readonly message: string;
};

/**
 * Where the readers send what they find. The same reading and validation code serves a run
 * (the first problem throws, see {@link createThrowingSink}) and `validate` (every problem is
 * collected, see {@link createCollectingSink}).
 */
export type ProblemSink = {
  report(problem: InputProblem): void;
  /** Something the operator should know that does not stop the run (a file read as Windows-1252). */
  warn(warning: string): void;
};

/** The one-line form `validate` prints: `file:line: column: message`. */
export function formatProblem(problem: InputProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.column === undefined
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.column}: ${problem.message}`;
}

/** The problem as the `InputError` a run fails with (exit 65), e.g. `file: line 3: shift: expected …`. */
export function toInputError(problem: InputProblem): InputError {
  const text = problem.column === undefined ? problem.message : `${problem.column}: ${problem.message}`;
  const location =
    problem.line === undefined ? { file: problem.file } : { file: problem.file, line: problem.line };
  return new InputError(location, text);
}

/** A sink for runs: the first problem is thrown as an `InputError`; warnings are appended to `warnings`. */
export function createThrowingSink(warnings: string[] = []): ProblemSink {
  return {
    report(problem) {
      throw toInputError(problem);
    },
    warn(warning) {
      warnings.push(warning);
    },
  };
}

export type CollectingSink = ProblemSink & {
  /**
   * Every problem, grouped by file in the order the files were first reported, each file's
   * problems by line (whole-file problems first), at most `maxPerFile` per file followed by one
   * entry `… and N more problems in this file`.
   */
  problems(): InputProblem[];
  /** Number of problems reported, including those beyond the cap. */
  count(): number;
  readonly warnings: readonly string[];
};

/** Default cap of problems listed per file by `validate`. */
export const DEFAULT_MAX_PROBLEMS_PER_FILE = 20;

/** A sink for `validate`: collects every problem, keeping at most `maxPerFile` of each file. */
export function createCollectingSink(maxPerFile = DEFAULT_MAX_PROBLEMS_PER_FILE): CollectingSink {
  const byFile = new Map<string, { kept: InputProblem[]; dropped: number }>();
  const warnings: string[] = [];
  let total = 0;
  return {
    report(problem) {
      total += 1;
      const entry = byFile.get(problem.file) ?? { kept: [], dropped: 0 };
      byFile.set(problem.file, entry);
      if (entry.kept.length < maxPerFile) entry.kept.push(problem);
      else entry.dropped += 1;
    },
    warn(warning) {
      warnings.push(warning);
    },
    problems() {
      const all: InputProblem[] = [];
      for (const [file, { kept, dropped }] of byFile) {
        // Stable sort: problems of one line keep the order they were found in.
        all.push(...[...kept].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
        if (dropped > 0) {
          all.push({
            file,
            message: `… and ${dropped} more problem${dropped === 1 ? "" : "s"} in this file`,
          });
        }
      }
      return all;
    },
    count: () => total,
    warnings,
  };
}

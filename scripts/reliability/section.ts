/** One row of the reliability table. */
export type SectionResult = {
  readonly name: string;
  /** Faults injected: kills, storage faults, bad input files. */
  faults: number;
  /** Runs (or checks) that had to survive a fault. */
  runs: number;
  /** Of those, how many behaved as promised (failed cleanly and recovered, or went on). */
  survived: number;
  /** Generated hostile inputs tried. */
  inputs: number;
  /** Published or committed weeks lost, mixed or left wrong after recovery. */
  dataLost: number;
  /** Staff names or employee ids found where they must not be. */
  leaks: number;
  /** What went wrong or was skipped, one line each. */
  readonly notes: string[];
};

export function emptySection(name: string): SectionResult {
  return { name, faults: 0, runs: 0, survived: 0, inputs: 0, dataLost: 0, leaks: 0, notes: [] };
}

/** Counts one fault with its run: survived when `problems` is empty, else notes them. */
export function recordCase(
  section: SectionResult,
  label: string,
  problems: readonly string[],
  lost = 0,
): void {
  section.faults += 1;
  section.runs += 1;
  section.dataLost += lost;
  if (problems.length === 0) section.survived += 1;
  else section.notes.push(`${label}: ${problems.join("; ")}`);
}

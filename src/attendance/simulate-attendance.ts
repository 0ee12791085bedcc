import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import type { AttendanceOutcome } from "../domain/attendance.ts";
import { formatIsoWeek, type IsoWeek } from "../domain/calendar.ts";
import type { PlannedTest } from "../domain/plan-types.ts";
import { writeDurably } from "../lib/durable-write.ts";
import { renderCsv } from "../outputs/csv-file.ts";
import { createSeededRandom } from "../roster/seeded-random.ts";
import { attendanceFolder } from "./attendance-folder.ts";

/** Shares of the outcomes a simulation draws, in percent (they add up to 100). */
export type AttendanceShares = { readonly taken: number; readonly declined: number; readonly absent: number };

/** Parses `88/7/5` (taken/declined/absent, in percent, adding up to 100); undefined otherwise. */
export function parseAttendanceShares(text: string): AttendanceShares | undefined {
  const match = /^(\d{1,3}(?:\.\d+)?)\/(\d{1,3}(?:\.\d+)?)\/(\d{1,3}(?:\.\d+)?)$/.exec(text.trim());
  if (match === null) return undefined;
  const [taken, declined, absent] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  return Math.abs(taken + declined + absent - 100) < 1e-9 ? { taken, declined, absent } : undefined;
}

/** A 32-bit seed for one municipality-week (FNV-1a over the text): streams differ, reruns repeat. */
function seedOf(seed: number, testWeek: IsoWeek, code: number): number {
  let hash = 0x811c9dc5 ^ seed;
  for (const character of `${formatIsoWeek(testWeek)}|${code}`) {
    hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 0x01000193);
  }
  return hash | 0;
}

function draw(random: () => number, shares: AttendanceShares): AttendanceOutcome {
  const roll = random() * 100;
  return roll < shares.taken ? "taken" : roll < shares.taken + shares.declined ? "declined" : "absent";
}

/**
 * Writes the simulated returns of one test week as coordinators would send them: per municipality
 * with tests, a CSV `employee_id;date;shift;outcome` in `<dataDir>/attendance/<week>/<code>.csv`
 * with every planned test drawn taken / declined / absent by `shares` (seeded per municipality and
 * week, so a replay repeats). The next run picks them up like any return. Returns the files written.
 */
export async function writeSimulatedReturns(options: {
  readonly dataDir: string;
  readonly testWeek: IsoWeek;
  readonly planned: readonly PlannedTest[];
  readonly shares: AttendanceShares;
  readonly seed: number;
}): Promise<string[]> {
  const byCode = new Map<number, PlannedTest[]>();
  for (const test of options.planned) {
    const list = byCode.get(test.municipalityCode);
    if (list === undefined) byCode.set(test.municipalityCode, [test]);
    else list.push(test);
  }
  const folder = attendanceFolder(options.dataDir, options.testWeek);
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  for (const code of [...byCode.keys()].sort((a, b) => a - b)) {
    const random = createSeededRandom(seedOf(options.seed, options.testWeek, code));
    const rows = (byCode.get(code) ?? []).map((t) => [
      t.employeeId,
      t.date,
      t.shift,
      draw(random, options.shares),
    ]);
    const path = join(folder, `${code}.csv`);
    // Written beside and renamed: a pickup never reads half a file.
    await writeDurably(`${path}.part`, renderCsv(["employee_id", "date", "shift", "outcome"], rows));
    await rename(`${path}.part`, path);
    written.push(path);
  }
  return written;
}

import { addDays } from "../domain/calendar.ts";
import { InputError } from "../errors.ts";
import type { CsvRow } from "../lib/csv-table.ts";
import { quoteValue } from "./describe.ts";
import type { SeriesLayout, SeriesRows } from "./ssi-series.ts";
import type { TestPosRow } from "./ssi-test-pos.ts";
import { formatDanish } from "./ssi-text.ts";

export type TotalsInput = {
  readonly header: CsvRow;
  readonly layout: SeriesLayout;
  readonly series: SeriesRows;
  readonly testPos: ReadonlyMap<number, TestPosRow>;
  readonly seriesFile: string;
};

type Column = {
  readonly code: number;
  readonly name: string;
  readonly total: number;
  readonly confirmed: number;
};

function columnsOf(input: TotalsInput): Column[] {
  const columns: Column[] = [];
  for (const [code, position] of input.layout.positionByCode) {
    const series = input.series.casesByCode.get(code) ?? [];
    columns.push({
      code,
      name: input.header.fields[position] ?? "",
      total: series.reduce((sum, cases) => sum + cases, 0),
      confirmed: input.testPos.get(code)?.confirmed ?? 0,
    });
  }
  return columns;
}

/** Two columns whose totals are each other's confirmed counts: their headers are swapped. */
function findSwap(mismatched: readonly Column[]): [Column, Column] | undefined {
  for (const a of mismatched) {
    for (const b of mismatched) {
      if (a.code < b.code && a.total === b.confirmed && b.total === a.confirmed) return [a, b];
    }
  }
  return undefined;
}

/**
 * Checks the time series against test_pos's cumulative confirmed counts. SSI writes both files
 * of one day from the same data, so each column's total equals its municipality's confirmed count
 * (all 98 do in the files of 2020). That is used only where it holds for most columns: a later
 * time series paired with an older test_pos (the `late` pair) is not comparable, and then only the
 * row checks apply. Where comparable, the check refuses — naming the real problem —
 * - two columns whose totals are each other's counts (swapped headers),
 * - a skipped date (other than 2020-02-29) while any total differs (rows lost, not a day without
 *   cases); where not comparable, any such skipped date,
 * - totals that fall short (a day missing, e.g. a dropped last day) or differ otherwise.
 */
export function checkTotals(input: TotalsInput): void {
  const { header, series, seriesFile } = input;
  const columns = columnsOf(input);
  const mismatched = columns.filter((c) => c.total !== c.confirmed);
  const comparable = (columns.length - mismatched.length) * 2 > columns.length;

  const swap = comparable ? findSwap(mismatched) : undefined;
  if (swap !== undefined) {
    const [a, b] = swap;
    throw new InputError(
      { file: seriesFile, line: header.line },
      `columns ${quoteValue(a.name)} and ${quoteValue(b.name)} look swapped: their totals ${formatDanish(a.total)} and ${formatDanish(b.total)} are test_pos's confirmed counts of ${b.code} and ${a.code} — expected each column under its own municipality's name`,
    );
  }

  const gap = series.gaps.at(-1);
  if (gap !== undefined && !(comparable && mismatched.length === 0)) {
    const earlier = series.gaps.length > 1 ? ` (and ${series.gaps.length - 1} earlier gaps)` : "";
    const why = comparable
      ? `they differ for ${mismatched.length} municipalities`
      : `they cannot be compared (${columns.length - mismatched.length} of ${columns.length} columns match)`;
    throw new InputError(
      { file: seriesFile, line: gap.line },
      `date ${gap.date} after ${gap.previous}${earlier} — expected consecutive dates (${addDays(gap.previous, 1)}); a skipped date is only accepted as a day without cases when the totals match test_pos, and ${why}`,
    );
  }

  const first = mismatched[0];
  if (!comparable || first === undefined) return;
  const example = `${quoteValue(first.name)}: ${formatDanish(first.total)} of ${formatDanish(first.confirmed)}`;
  if (mismatched.every((c) => c.total < c.confirmed)) {
    throw new InputError(
      { file: seriesFile, line: series.lastLine },
      `stale or cut: the rows hold fewer cases than test_pos counts for ${mismatched.length} municipalities (e.g. ${example}) — expected equal totals; the file ends on ${series.dates.at(-1) ?? "?"}: is its last day missing?`,
    );
  }
  throw new InputError(
    { file: seriesFile, line: header.line },
    `column totals differ from test_pos's confirmed counts for ${mismatched.length} municipalities (e.g. ${example}) — expected equal totals, as SSI writes both files from the same data`,
  );
}

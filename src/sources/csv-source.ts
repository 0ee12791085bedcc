import { z } from "zod";
import type { Config } from "../config.ts";
import { isIsoDate } from "../domain/calendar.ts";
import { incidencePer100k, type WindowTotalsDataset, type WindowTotalsRow } from "../domain/incidence.ts";
import { CHRISTIANSOE_CODE, type Municipality } from "../domain/reference.ts";
import { InputError, SourceError } from "../errors.ts";
import { parseCsvTable } from "../lib/csv-table.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { describePartialData, quoteValue } from "./describe.ts";
import { csvLimitsOf, DEFAULT_SOURCE_LIMITS, type SourceLimits } from "./limits.ts";
import type { IncidenceSource, ReadLocation } from "./source.ts";

export type CsvSourceSettings = Extract<Config["source"], { type: "csv" }>;

export type CsvSourceDeps = {
  readonly readLocation: ReadLocation;
  readonly municipalities: readonly Municipality[];
  /** Size limits of the parsed file (default: DEFAULT_SOURCE_LIMITS). */
  readonly limits?: SourceLimits | undefined;
};

const wholeNumber = z
  .string()
  .regex(/^\d+$/, { error: "expected a whole number without separators" })
  .transform(Number);

const codeSchema = z
  .string()
  .regex(/^\d{1,9}$/, { error: "expected a numeric municipality code (e.g. 101)" })
  .transform(Number);
const casesSchema = wholeNumber;
const populationSchema = wholeNumber.refine((population) => population > 0, {
  error: "expected a population above 0",
});
/** Decimal point or Danish decimal comma; never a thousands separator. */
const incidenceSchema = z
  .string()
  .regex(/^\d+([.,]\d+)?$/, { error: "expected a number ≥ 0 like 23.5 or 23,5" })
  .transform((text) => Number(text.replace(",", ".")));

const HEADERS = "code;cases_7d;population or code;incidence";

function fileNameOf(location: string): string {
  const path = /^https?:\/\//i.test(location) ? new URL(location).pathname : location;
  return (
    path
      .split(/[\\/]/)
      .filter((part) => part !== "")
      .pop() ?? "incidence.csv"
  );
}

/**
 * A plain `;`-separated file with 7-day figures per municipality: `code;cases_7d;population`
 * (incidence computed) or `code;incidence` (population from the reference). UTF-8, BOM allowed.
 * Bad rows are `InputError`s with file and line; missing or repeated municipalities fail the
 * fetch. `lastUpdate` (settings) is the last day the figures cover.
 */
export function createCsvSource(settings: CsvSourceSettings, deps: CsvSourceDeps): IncidenceSource {
  const origin = redactUrl(settings.url);
  const byCode = new Map(deps.municipalities.map((m) => [m.code, m]));

  function readField<T>(schema: z.ZodType<T, string>, text: string, column: string, line: number): T {
    const parsed = schema.safeParse(text);
    if (!parsed.success) {
      throw new InputError(
        { file: origin, line },
        `column ${column} is ${quoteValue(text)}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      );
    }
    return parsed.data;
  }

  return {
    name: "csv",
    async fetchIncidence(signal) {
      if (settings.lastUpdate !== undefined && !isIsoDate(settings.lastUpdate)) {
        throw new SourceError(
          origin,
          `lastUpdate ${JSON.stringify(settings.lastUpdate)} is not a date, expected YYYY-MM-DD`,
        );
      }
      const bytes = await deps.readLocation(settings.url, signal);
      const table = parseCsvTable(
        origin,
        // A view, not a copy: the bytes may be as large as the payload limit.
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        { required: ["code"], optional: ["cases_7d", "population", "incidence"] },
        { limits: csvLimitsOf(deps.limits ?? DEFAULT_SOURCE_LIMITS, origin) },
      );
      const column = (name: string) => table.columns.get(name);
      const incidenceAt = column("incidence");
      const casesAt = column("cases_7d");
      const populationAt = column("population");
      if (incidenceAt === undefined && (casesAt === undefined || populationAt === undefined)) {
        throw new InputError({ file: origin, line: 1 }, `header: expected ${HEADERS}`);
      }
      const codeAt = column("code") ?? 0;
      const rows = new Map<number, WindowTotalsRow>();
      const lineOfCode = new Map<number, number>();
      const repeated: string[] = [];
      for (const { line, fields } of table.rows) {
        const cell = (at: number | undefined) => (at === undefined ? undefined : (fields[at] ?? ""));
        const code = readField(codeSchema, cell(codeAt) ?? "", "code", line);
        if (code === CHRISTIANSOE_CODE) continue;
        const municipality = byCode.get(code);
        if (municipality === undefined) {
          throw new InputError(
            { file: origin, line },
            `unknown municipality code ${code}, expected one of the ${deps.municipalities.length} of the reference`,
          );
        }
        const cases7d =
          casesAt === undefined ? null : readField(casesSchema, cell(casesAt) ?? "", "cases_7d", line);
        const population =
          populationAt === undefined
            ? null
            : readField(populationSchema, cell(populationAt) ?? "", "population", line);
        const incidence =
          incidenceAt !== undefined
            ? readField(incidenceSchema, cell(incidenceAt) ?? "", "incidence", line)
            : incidencePer100k(cases7d ?? 0, population ?? municipality.population);
        const earlier = lineOfCode.get(code);
        if (earlier !== undefined) {
          repeated.push(`${code} ${municipality.name} (lines ${earlier} and ${line})`);
          continue;
        }
        lineOfCode.set(code, line);
        rows.set(code, { cases7d, population, incidence });
      }
      if (repeated.length > 0) {
        const more = repeated.length > 5 ? `, and ${repeated.length - 5} more` : "";
        throw new SourceError(
          origin,
          `municipalities listed more than once: ${repeated.slice(0, 5).join(", ")}${more} — expected one row each`,
        );
      }
      const missing = deps.municipalities.filter((m) => !rows.has(m.code));
      if (missing.length > 0) {
        throw new SourceError(
          origin,
          describePartialData(missing, "no row", `a row for each of the ${deps.municipalities.length}`),
        );
      }
      const dataset: WindowTotalsDataset = {
        kind: "window",
        origin,
        lastUpdate: settings.lastUpdate ?? null,
        rowsByCode: rows,
      };
      return { dataset, payloads: [{ name: fileNameOf(settings.url), origin, bytes }] };
    },
  };
}

import { z } from "zod";
import type { Municipality } from "../domain/reference.ts";
import { SITE_KINDS } from "../domain/roster.ts";
import type { Site } from "../domain/roster.ts";
import { describeValue, isCodeLike, MAX_ID_LENGTH, MAX_TEXT_LENGTH, quoteValue } from "./field-text.ts";
import { readInputTable, readInputText } from "./input-file.ts";
import { createThrowingSink, type ProblemSink } from "./input-problems.ts";
import { rawRowOf, validateRow, type RowSpec } from "./validate-row.ts";

const SITE_COLUMNS = ["site_id", "municipality_code", "kind", "name", "address"] as const;
type SiteColumn = (typeof SITE_COLUMNS)[number];

/**
 * Only ids, codes and kinds are quoted, and only when they look like one: the file holds no staff
 * data, but a misplaced column may put a name or an address under `site_id`.
 */
const QUOTED_COLUMNS: ReadonlySet<SiteColumn> = new Set(["site_id", "municipality_code", "kind"]);

const SITE_ROW: RowSpec<SiteColumn> = {
  columns: SITE_COLUMNS,
  text: {
    site_id: { maxLength: MAX_ID_LENGTH, id: true },
    municipality_code: { maxLength: MAX_ID_LENGTH, id: true },
    kind: { maxLength: MAX_ID_LENGTH, id: true },
    name: { maxLength: MAX_TEXT_LENGTH },
    address: { maxLength: MAX_TEXT_LENGTH },
  },
  describe: (column, value) =>
    QUOTED_COLUMNS.has(column) && isCodeLike(value) ? quoteValue(value) : describeValue(value),
};

function createSiteRowSchema(codes: ReadonlySet<number>) {
  return z.object({
    site_id: z.string().min(1, { error: "a non-empty site id" }),
    municipality_code: z
      .string()
      .regex(/^\d+$/, { error: "a numeric municipality code" })
      .transform(Number)
      .refine((code) => codes.has(code), {
        error: `one of the ${codes.size} municipality codes of the reference`,
      }),
    kind: z.enum(SITE_KINDS, { error: SITE_KINDS.join(" or ") }),
    name: z.string().min(1, { error: "a non-empty site name" }),
    address: z.string().min(1, { error: "a non-empty address (pickups go there)" }),
  });
}

/**
 * Checks the rows of a sites table and returns the valid sites; every problem goes to `sink`.
 * Every site must belong to one of `municipalities` (joined on the code) and ids are unique.
 */
export function readSiteRows(
  path: string,
  text: string,
  municipalities: readonly Municipality[],
  sink: ProblemSink,
): Site[] {
  const table = readInputTable(path, text, { required: SITE_COLUMNS }, sink);
  if (table === undefined) return [];
  const schema = createSiteRowSchema(new Set(municipalities.map((m) => m.code)));
  const firstLineById = new Map<string, number>();
  const sites: Site[] = [];
  for (const row of table.rows) {
    const site = validateRow(path, row, rawRowOf(SITE_ROW, table, row), SITE_ROW, schema, sink);
    if (site === undefined) continue;
    const firstLine = firstLineById.get(site.site_id);
    if (firstLine !== undefined) {
      sink.report({
        file: path,
        line: row.line,
        column: "site_id",
        message: `expected unique site ids, found ${SITE_ROW.describe("site_id", site.site_id)} again (first on line ${firstLine})`,
      });
      continue;
    }
    firstLineById.set(site.site_id, row.line);
    sites.push({
      id: site.site_id,
      municipalityCode: site.municipality_code,
      kind: site.kind,
      name: site.name,
      address: site.address,
    });
  }
  return sites;
}

/**
 * Reads the sites file `site_id;municipality_code;kind;name;address` (`;`, UTF-8 with or without
 * BOM; Windows-1252 is read with a warning to `sink`). With the default sink the first problem
 * throws an `InputError` naming the file, the line, the column and what was expected.
 */
export async function readSites(
  path: string,
  municipalities: readonly Municipality[],
  sink: ProblemSink = createThrowingSink(),
): Promise<Site[]> {
  const input = await readInputText(path, "sites file", sink);
  if (input === undefined) return [];
  return readSiteRows(path, input.text, municipalities, sink);
}

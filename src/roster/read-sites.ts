import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { Municipality } from "../domain/reference.ts";
import { SITE_KINDS } from "../domain/roster.ts";
import type { Site } from "../domain/roster.ts";
import { InputError } from "../errors.ts";
import { parseCsvTable } from "../lib/csv-table.ts";

const SITE_COLUMNS = ["site_id", "municipality_code", "kind", "name", "address"] as const;
type SiteColumn = (typeof SITE_COLUMNS)[number];

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
 * Reads the sites file `site_id;municipality_code;kind;name;address` (UTF-8, optional BOM, `;`).
 * Every site must belong to one of `municipalities` (joined on the code) and ids are unique; the
 * first problem becomes an `InputError` naming the file, the line and what was expected.
 */
export async function readSites(path: string, municipalities: readonly Municipality[]): Promise<Site[]> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new InputError({ file: path }, "cannot read the sites file, expected a readable CSV file", {
      cause: error,
    });
  }
  const table = parseCsvTable(path, content, { required: SITE_COLUMNS });
  const schema = createSiteRowSchema(new Set(municipalities.map((m) => m.code)));
  const firstLineById = new Map<string, number>();
  const sites: Site[] = [];

  for (const row of table.rows) {
    const raw = {} as Record<SiteColumn, string>;
    for (const column of SITE_COLUMNS) raw[column] = row.fields[table.columns.get(column) ?? -1] ?? "";
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = String(issue?.path[0] ?? "row") as SiteColumn;
      throw new InputError(
        { file: path, line: row.line },
        `${field}: got ${JSON.stringify(raw[field] ?? "")}, expected ${issue?.message ?? "a valid site"}`,
      );
    }
    const site = result.data;
    const firstLine = firstLineById.get(site.site_id);
    if (firstLine !== undefined) {
      throw new InputError(
        { file: path, line: row.line },
        `site_id: got ${JSON.stringify(site.site_id)} again, expected unique site ids (first on line ${firstLine})`,
      );
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

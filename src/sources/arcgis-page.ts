import { DateTime } from "luxon";
import { z } from "zod";
import { isIsoDate, localDate, type IsoDate } from "../domain/calendar.ts";
import { quoteValue } from "./describe.ts";

/** Throws the source's error for `problem` (a `SourceError` naming the layer). */
export type Fail = (problem: string) => never;

/** ArcGIS reports failures as HTTP 200 with this body. */
const errorBodySchema = z.object({
  error: z.object({
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});

const pageSchema = z.object({
  features: z.array(z.object({ attributes: z.record(z.string(), z.unknown()) })),
  exceededTransferLimit: z.boolean().optional(),
});

export type ArcgisPage = z.infer<typeof pageSchema>;

export const codeValue = z.union([
  z.number().int().positive(),
  z.string().trim().regex(/^\d+$/).transform(Number),
]);

const numberValue = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

/** The first problem zod found, with its JSON path; path parts are keys from the body, so cut. */
function formatIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const path = issue.path
    .map((part) => {
      if (typeof part === "number") return `[${part}]`;
      const key = String(part);
      return `.${/^[\w$-]{1,40}$/.test(key) ? key : quoteValue(key)}`;
    })
    .join("");
  return `${path.replace(/^\./, "") || "(root)"}: ${issue.message}`;
}

/** Parses one page: JSON, not an `{"error":…}` body, and shaped as a query result. */
export function parsePage(bytes: Uint8Array, pageNumber: number, fail: Fail): ArcgisPage {
  const where = `page ${pageNumber}`;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, ""));
  } catch {
    // JSON.parse's message quotes the body (raw, with its line breaks): not passed on.
    return fail(`${where}: not valid JSON — expected a JSON query result`);
  }
  const errorBody = errorBodySchema.safeParse(json);
  if (errorBody.success) {
    const { code, message, details } = errorBody.data.error;
    const extra = details !== undefined && details.length > 0 ? ` (${quoteValue(details.join("; "))})` : "";
    const said = message === undefined ? "no message" : quoteValue(message);
    return fail(
      `${where}: ArcGIS error ${code === undefined ? "without code" : typeof code === "number" ? code : quoteValue(code)}: ${said}${extra}`,
    );
  }
  const page = pageSchema.safeParse(json);
  if (!page.success)
    return fail(`${where}: ${formatIssue(page.error)}, expected a query result with features`);
  return page.data;
}

/** A finite number ≥ 0 from a feature's field (number or numeric text). */
export function readNumber(
  attributes: Record<string, unknown>,
  field: string,
  index: number,
  fail: Fail,
): number {
  const parsed = numberValue.safeParse(attributes[field]);
  if (!parsed.success || !Number.isFinite(parsed.data) || parsed.data < 0) {
    return fail(
      `feature ${index}: field ${field} is ${quoteValue(attributes[field] ?? null)}, expected a finite number ≥ 0`,
    );
  }
  return parsed.data;
}

/** Date text as ArcGIS layers give it: ISO date/date-time, or `dd.mm.yyyy` (optionally `, hh:mm …`). */
function parseDateText(text: string, zone: string): IsoDate | undefined {
  const trimmed = text.trim();
  if (isIsoDate(trimmed)) return trimmed;
  const dotted = /^(\d{2})\.(\d{2})\.(\d{4})\b/.exec(trimmed);
  if (dotted) {
    const date = `${dotted[3]}-${dotted[2]}-${dotted[1]}`;
    return isIsoDate(date) ? date : undefined;
  }
  const instant = DateTime.fromISO(trimmed, { zone });
  return instant.isValid ? localDate(instant.toMillis(), zone) : undefined;
}

/** A feature's last update: epoch milliseconds or date text, as a date in `zone`. */
export function readLastUpdate(
  attributes: Record<string, unknown>,
  field: string,
  index: number,
  zone: string,
  fail: Fail,
): IsoDate {
  const value = attributes[field];
  const date =
    typeof value === "number" && Number.isFinite(value)
      ? localDate(value, zone)
      : typeof value === "string"
        ? parseDateText(value, zone)
        : undefined;
  if (date === undefined || date === "") {
    return fail(
      `feature ${index}: field ${field} is ${quoteValue(value ?? null)}, expected epoch milliseconds or a date`,
    );
  }
  return date;
}

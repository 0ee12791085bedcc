import { DateTime } from "luxon";
import { z } from "zod";
import type { Config } from "../config.ts";
import { isIsoDate, localDate, type IsoDate } from "../domain/calendar.ts";
import { incidencePer100k, type WindowTotalsDataset, type WindowTotalsRow } from "../domain/incidence.ts";
import { CHRISTIANSOE_CODE, type Municipality } from "../domain/reference.ts";
import { SourceError } from "../errors.ts";
import type { HttpClient } from "./http-client.ts";
import { redactUrl } from "../lib/redact-url.ts";
import type { IncidenceSource, RawPayload } from "./source.ts";

export type ArcgisSourceSettings = Extract<Config["source"], { type: "arcgis" }>;

export type ArcgisSourceDeps = {
  readonly http: HttpClient;
  readonly municipalities: readonly Municipality[];
  /** Clock (epoch ms); a last update after today is rejected as malformed. */
  readonly now?: (() => number) | undefined;
  /** Zone in which epoch-ms timestamps become dates. */
  readonly timezone?: string | undefined;
};

/** A layer that pages forever is broken; 1,000 pages is far beyond 98 municipalities. */
const MAX_PAGES = 1000;

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

const codeValue = z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/).transform(Number)]);
const numberValue = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

function formatIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const path = issue.path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("");
  return `${path.replace(/^\./, "") || "(root)"}: ${issue.message}`;
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

/**
 * An ArcGIS FeatureServer layer with one feature per municipality (SSI's dashboard, RKI's
 * `cases7_per_100k` and the like). Pages with `resultOffset`/`resultRecordCount` while
 * `exceededTransferLimit` is true; every page is validated; an `{"error":…}` body fails the fetch.
 */
export function createArcgisSource(settings: ArcgisSourceSettings, deps: ArcgisSourceDeps): IncidenceSource {
  const origin = redactUrl(settings.url);
  const zone = deps.timezone ?? "Europe/Copenhagen";
  const now = deps.now ?? Date.now;
  const fields = settings.fields;
  const outFields = [
    ...new Set([fields.code, fields.incidence, fields.cases7d, fields.population, fields.lastUpdate]),
  ].filter((name): name is string => name !== undefined);
  const byCode = new Map(deps.municipalities.map((m) => [m.code, m]));

  function fail(problem: string): never {
    throw new SourceError(origin, problem);
  }

  function pageUrl(offset: number): string {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch {
      return fail("expected an http(s) URL of a FeatureServer layer");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      fail("expected an http(s) URL of a FeatureServer layer");
    }
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/query`;
    const params = url.searchParams;
    params.set("where", settings.where);
    params.set("outFields", outFields.join(","));
    params.set("returnGeometry", "false");
    params.set("f", "json");
    params.set("resultOffset", String(offset));
    params.set("resultRecordCount", String(settings.pageSize));
    params.set("orderByFields", fields.code);
    return url.toString();
  }

  function parsePage(bytes: Uint8Array, pageNumber: number) {
    const where = `page ${pageNumber}`;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, ""));
    } catch (error) {
      return fail(`${where}: expected a JSON body (${(error as Error).message})`);
    }
    const errorBody = errorBodySchema.safeParse(json);
    if (errorBody.success) {
      const { code, message, details } = errorBody.data.error;
      const extra = details !== undefined && details.length > 0 ? ` (${details.map(String).join("; ")})` : "";
      return fail(`${where}: ArcGIS error ${code ?? "without code"}: ${message ?? "no message"}${extra}`);
    }
    const page = pageSchema.safeParse(json);
    if (!page.success)
      return fail(`${where}: ${formatIssue(page.error)}, expected a query result with features`);
    return page.data;
  }

  function readNumber(attributes: Record<string, unknown>, field: string, index: number): number {
    const parsed = numberValue.safeParse(attributes[field]);
    if (!parsed.success || !Number.isFinite(parsed.data) || parsed.data < 0) {
      return fail(
        `feature ${index}: field ${field} is ${JSON.stringify(attributes[field] ?? null)}, expected a finite number ≥ 0`,
      );
    }
    return parsed.data;
  }

  function readLastUpdate(attributes: Record<string, unknown>, field: string, index: number): IsoDate {
    const value = attributes[field];
    const date =
      typeof value === "number" && Number.isFinite(value)
        ? localDate(value, zone)
        : typeof value === "string"
          ? parseDateText(value, zone)
          : undefined;
    if (date === undefined || date === "") {
      return fail(
        `feature ${index}: field ${field} is ${JSON.stringify(value ?? null)}, expected epoch milliseconds or a date`,
      );
    }
    return date;
  }

  return {
    name: "arcgis",
    async fetchIncidence(signal) {
      const payloads: RawPayload[] = [];
      const rows = new Map<number, WindowTotalsRow>();
      const featureOfCode = new Map<number, number>();
      let oldestUpdate: IsoDate | null = null;
      let index = 0;
      let offset = 0;
      for (let pageNumber = 1; ; pageNumber++) {
        if (pageNumber > MAX_PAGES) fail(`more than ${MAX_PAGES} pages, expected the layer to end`);
        const url = pageUrl(offset);
        const bytes = await deps.http.getBytes(url, signal);
        payloads.push({
          name: `arcgis-page-${String(pageNumber).padStart(4, "0")}.json`,
          origin: redactUrl(url),
          bytes,
        });
        const page = parsePage(bytes, pageNumber);
        for (const { attributes } of page.features) {
          const code = codeValue.safeParse(attributes[fields.code]);
          if (!code.success) {
            fail(
              `feature ${index}: field ${fields.code} is ${JSON.stringify(attributes[fields.code] ?? null)}, expected a municipality code`,
            );
          }
          const municipality = byCode.get(code.data);
          if (code.data === CHRISTIANSOE_CODE) {
            index++;
            continue;
          }
          if (municipality === undefined) fail(`feature ${index}: unknown municipality code ${code.data}`);
          const earlier = featureOfCode.get(code.data);
          if (earlier !== undefined) {
            fail(
              `feature ${index}: municipality ${code.data} repeats feature ${earlier}, expected each code once`,
            );
          }
          featureOfCode.set(code.data, index);
          const cases7d = fields.cases7d === undefined ? null : readNumber(attributes, fields.cases7d, index);
          const population =
            fields.population === undefined ? null : readNumber(attributes, fields.population, index);
          if (population !== null && population <= 0) {
            fail(
              `feature ${index}: field ${fields.population} is ${population}, expected a population above 0`,
            );
          }
          const incidence =
            fields.incidence !== undefined
              ? readNumber(attributes, fields.incidence, index)
              : incidencePer100k(cases7d ?? 0, population ?? municipality.population);
          rows.set(code.data, { cases7d, population, incidence });
          if (fields.lastUpdate !== undefined) {
            const updated = readLastUpdate(attributes, fields.lastUpdate, index);
            // The stalest municipality decides whether the layer covers the window.
            if (oldestUpdate === null || updated < oldestUpdate) oldestUpdate = updated;
          }
          index++;
        }
        if (page.exceededTransferLimit !== true) break;
        if (page.features.length === 0)
          fail(`page ${pageNumber}: no features but exceededTransferLimit is true`);
        offset += page.features.length;
      }
      const missing = deps.municipalities.filter((m) => !rows.has(m.code));
      if (missing.length > 0) {
        fail(
          `partial data: no feature for ${missing.length} municipalit${missing.length === 1 ? "y" : "ies"} (${missing
            .map((m) => `${m.code} ${m.name}`)
            .join(", ")})`,
        );
      }
      const today = localDate(now(), zone);
      if (oldestUpdate !== null && oldestUpdate > today) {
        fail(`last update ${oldestUpdate} is after today (${today}), expected a past date`);
      }
      const dataset: WindowTotalsDataset = {
        kind: "window",
        origin,
        lastUpdate: oldestUpdate,
        rowsByCode: rows,
      };
      return { dataset, payloads };
    },
  };
}

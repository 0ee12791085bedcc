import type { Config } from "../config.ts";
import { localDate, type IsoDate } from "../domain/calendar.ts";
import { incidencePer100k, type WindowTotalsDataset, type WindowTotalsRow } from "../domain/incidence.ts";
import { CHRISTIANSOE_CODE, type Municipality } from "../domain/reference.ts";
import { SourceError } from "../errors.ts";
import type { HttpClient } from "./http-client.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { codeValue, parsePage, readLastUpdate, readNumber, type ArcgisPage } from "./arcgis-page.ts";
import { describePartialData, quoteValue } from "./describe.ts";
import { DEFAULT_SOURCE_LIMITS, formatBytes, limitExceeded, type SourceLimits } from "./limits.ts";
import type { IncidenceSource, RawPayload } from "./source.ts";
import { systemClock } from "../clock.ts";

export type ArcgisSourceSettings = Extract<Config["source"], { type: "arcgis" }>;

export type ArcgisSourceDeps = {
  readonly http: HttpClient;
  readonly municipalities: readonly Municipality[];
  /** Clock (epoch ms); a last update after today is rejected as malformed. */
  readonly now?: (() => number) | undefined;
  /** Zone in which epoch-ms timestamps become dates. */
  readonly timezone?: string | undefined;
  /** Size limits over all pages of one fetch (default: DEFAULT_SOURCE_LIMITS). */
  readonly limits?: SourceLimits | undefined;
};

/** A layer that pages forever is broken; 1,000 pages is far beyond 98 municipalities. */
const MAX_PAGES = 1000;

/** Where each code was seen: the feature index and its page. */
type Seen = { readonly index: number; readonly page: number };

/**
 * An ArcGIS FeatureServer layer with one feature per municipality (SSI's dashboard, RKI's
 * `cases7_per_100k` and the like). Pages with `resultOffset`/`resultRecordCount` while
 * `exceededTransferLimit` is true; every page is validated; an `{"error":…}` body fails the fetch.
 * Memory is bounded over all pages (features and bytes, see `SourceLimits`), and a code seen
 * twice — Christiansø's too — fails the fetch, so a server repeating a page cannot keep it paging.
 */
export function createArcgisSource(settings: ArcgisSourceSettings, deps: ArcgisSourceDeps): IncidenceSource {
  const origin = redactUrl(settings.url);
  const zone = deps.timezone ?? "Europe/Copenhagen";
  const now = deps.now ?? systemClock;
  const limits = deps.limits ?? DEFAULT_SOURCE_LIMITS;
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

  /** Fails when a page brings back codes already seen: the whole page again, or one feature. */
  function checkRepeats(page: ArcgisPage, pageNumber: number, firstIndex: number, seen: Map<number, Seen>) {
    const codes = page.features.map(({ attributes }) => codeValue.safeParse(attributes[fields.code]).data);
    const earlier = codes.map((code) => (code === undefined ? undefined : seen.get(code)));
    const first = earlier[0];
    if (first !== undefined && earlier.every((e) => e !== undefined)) {
      fail(
        `page ${pageNumber} repeats the features of page ${first.page} (codes ${codes.slice(0, 3).join(", ")}${codes.length > 3 ? ", …" : ""}) — expected each page to bring new features`,
      );
    }
    const within = new Map<number, number>();
    codes.forEach((code, i) => {
      if (code === undefined) return;
      const before = seen.get(code)?.index ?? within.get(code);
      if (before !== undefined) {
        fail(
          `feature ${firstIndex + i}: municipality ${code} repeats feature ${before}, expected each code once`,
        );
      }
      within.set(code, firstIndex + i);
    });
    within.forEach((index, code) => seen.set(code, { index, page: pageNumber }));
  }

  function readFeature(
    attributes: Record<string, unknown>,
    index: number,
  ): [number, WindowTotalsRow] | undefined {
    const code = codeValue.safeParse(attributes[fields.code]);
    if (!code.success) {
      fail(
        `feature ${index}: field ${fields.code} is ${quoteValue(attributes[fields.code] ?? null)}, expected a municipality code`,
      );
    }
    if (code.data === CHRISTIANSOE_CODE) return undefined;
    const municipality = byCode.get(code.data);
    if (municipality === undefined) fail(`feature ${index}: unknown municipality code ${code.data}`);
    const cases7d = fields.cases7d === undefined ? null : readNumber(attributes, fields.cases7d, index, fail);
    const population =
      fields.population === undefined ? null : readNumber(attributes, fields.population, index, fail);
    if (population !== null && population <= 0) {
      fail(`feature ${index}: field ${fields.population} is ${population}, expected a population above 0`);
    }
    const incidence =
      fields.incidence !== undefined
        ? readNumber(attributes, fields.incidence, index, fail)
        : incidencePer100k(cases7d ?? 0, population ?? municipality.population);
    return [code.data, { cases7d, population, incidence }];
  }

  return {
    name: "arcgis",
    async fetchIncidence(signal) {
      const payloads: RawPayload[] = [];
      const rows = new Map<number, WindowTotalsRow>();
      const seen = new Map<number, Seen>();
      let oldestUpdate: IsoDate | null = null;
      let index = 0;
      let offset = 0;
      let bytesSoFar = 0;
      for (let pageNumber = 1; ; pageNumber++) {
        if (pageNumber > MAX_PAGES) fail(`more than ${MAX_PAGES} pages, expected the layer to end`);
        const url = pageUrl(offset);
        const bytes = await deps.http.getBytes(url, signal);
        bytesSoFar += bytes.length;
        if (bytesSoFar > limits.maxArcgisBytes) {
          const what = `${pageNumber} pages of ${bytesSoFar} bytes in all`;
          throw limitExceeded(
            origin,
            `page ${pageNumber}`,
            what,
            "maxArcgisBytes",
            formatBytes(limits.maxArcgisBytes),
          );
        }
        const name = `arcgis-page-${String(pageNumber).padStart(4, "0")}.json`;
        payloads.push({ name, origin: redactUrl(url), bytes });
        const page = parsePage(bytes, pageNumber, fail);
        if (index + page.features.length > limits.maxArcgisFeatures) {
          const what = `${index + page.features.length} features`;
          throw limitExceeded(
            origin,
            `page ${pageNumber}`,
            what,
            "maxArcgisFeatures",
            String(limits.maxArcgisFeatures),
          );
        }
        checkRepeats(page, pageNumber, index, seen);
        for (const { attributes } of page.features) {
          const row = readFeature(attributes, index);
          if (row !== undefined) rows.set(row[0], row[1]);
          if (row !== undefined && fields.lastUpdate !== undefined) {
            const updated = readLastUpdate(attributes, fields.lastUpdate, index, zone, fail);
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
          describePartialData(
            missing,
            "no feature",
            `a feature for each of the ${deps.municipalities.length}`,
          ),
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

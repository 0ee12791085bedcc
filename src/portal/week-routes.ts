import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { StoredRecipient } from "../store/recipients.ts";
import { fileUrl, renderWeekList, renderWeekPage, type WeekPageData } from "./pages.ts";
import {
  listPublishedWeeks,
  listWeekFiles,
  openPublishedFile,
  parseFileRequest,
  WEEK_FOLDER,
  type PublishedFile,
} from "./published-files.ts";
import { isInScope } from "./scope.ts";
import type { PortalContext } from "./server.ts";
import {
  countRotaTests,
  municipalitiesOf,
  readPickupTotals,
  readWeekOverview,
  type WeekOverview,
} from "./week-overview.ts";

/*
 * The pages and downloads of the published weeks, for a signed-in recipient only, and the same
 * as JSON under /api/ for scripts (bearer token). A week that is not published and a file that
 * is outside the recipient's scope answer alike: 404.
 */

const HTML = "text/html; charset=utf-8";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  pdf: "application/pdf",
  ics: "text/calendar; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  html: "text/html; charset=utf-8",
};

function contentTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? "application/octet-stream";
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987). */
function contentDisposition(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const fallback = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The files of a week the recipient may see. */
async function scopedFiles(
  outDir: string,
  week: string,
  recipient: StoredRecipient,
): Promise<PublishedFile[]> {
  return listWeekFiles(outDir, week, (path) => isInScope(recipient, path));
}

async function isPublished(outDir: string, week: string): Promise<boolean> {
  if (!WEEK_FOLDER.test(week)) return false;
  return (await listPublishedWeeks(outDir)).includes(week);
}

async function weekPageData(
  ctx: PortalContext,
  week: string,
  recipient: StoredRecipient,
  overview: WeekOverview | undefined,
): Promise<WeekPageData> {
  const { outDir } = ctx.settings;
  const files = await scopedFiles(outDir, week, recipient);
  const municipalities = overview === undefined ? [] : municipalitiesOf(overview, recipient);
  const withTests =
    recipient.role === "municipality"
      ? await Promise.all(
          municipalities.map(async (m) => ({ ...m, tests: await countRotaTests(outDir, week, m.code) })),
        )
      : municipalities;
  const pickups =
    recipient.role === "region" ? await readPickupTotals(outDir, week, recipient.codes[0] ?? 0) : undefined;
  return {
    week,
    overview,
    municipalities: withTests,
    changedOnly: recipient.role === "national",
    pickups,
    files,
  };
}

export function registerWeekRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const { settings } = ctx;
  const frameOf = (recipient: StoredRecipient, title: string) => ({
    texts: ctx.texts,
    title,
    recipient: { value: recipient, places: ctx.places },
  });

  /** The signed-in recipient, or the reply already sent (sign-in page for browsers, 401 for the API). */
  async function requireRecipient(
    request: FastifyRequest,
    reply: FastifyReply,
    api: boolean,
  ): Promise<StoredRecipient | undefined> {
    const recipient = await ctx.identify(request);
    if (recipient !== undefined) return recipient;
    if (api) {
      void reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="testrota"')
        .send({ error: "unauthorized" });
    } else {
      void reply.redirect("/login", 303);
    }
    return undefined;
  }

  app.get("/weeks", async (request, reply) => {
    const recipient = await requireRecipient(request, reply, false);
    if (recipient === undefined) return reply;
    const weeks = await listPublishedWeeks(settings.outDir);
    const listed = await Promise.all(
      weeks.map(async (week) => ({ week, overview: await readWeekOverview(settings.outDir, week) })),
    );
    return reply
      .header("cache-control", "no-store")
      .type(HTML)
      .send(renderWeekList(frameOf(recipient, ctx.texts.weeksTitle), listed));
  });

  app.get<{ Params: { week: string } }>("/weeks/:week", async (request, reply) => {
    const recipient = await requireRecipient(request, reply, false);
    if (recipient === undefined) return reply;
    const { week } = request.params;
    if (!(await isPublished(settings.outDir, week))) return ctx.notFound(reply, recipient);
    const overview = await readWeekOverview(settings.outDir, week);
    const data = await weekPageData(ctx, week, recipient, overview);
    const title = overview === undefined ? week : ctx.texts.weekTitle(week, overview.testWeek);
    return reply
      .header("cache-control", "no-store")
      .type(HTML)
      .send(renderWeekPage({ ...frameOf(recipient, title), places: ctx.places }, data));
  });

  app.get(
    "/weeks/:week/files/*",
    {
      config: {
        rateLimit: {
          max: settings.downloadRateLimit.max,
          timeWindow: settings.downloadRateLimit.windowSeconds * 1000,
        },
      },
    },
    async (request, reply) => {
      const recipient = await requireRecipient(request, reply, false);
      if (recipient === undefined) return reply;
      // The raw URL, decoded one segment at a time: an encoded slash or dot never joins segments.
      const requested = parseFileRequest(request.raw.url?.slice("/weeks/".length) ?? "");
      if (requested === undefined || !isInScope(recipient, requested.path))
        return ctx.notFound(reply, recipient);
      if (!(await isPublished(settings.outDir, requested.week))) return ctx.notFound(reply, recipient);
      const opened = await openPublishedFile(settings.outDir, requested.week, requested.path);
      if (opened === undefined) return ctx.notFound(reply, recipient);
      reply
        .header("content-type", contentTypeOf(requested.path))
        .header("content-length", String(opened.bytes))
        .header("content-disposition", contentDisposition(requested.path))
        .header("cache-control", "private, no-store");
      if (request.method === "HEAD") {
        await opened.handle.close();
        return reply.send();
      }
      await ctx.store.recordDownload({
        recipientId: recipient.id,
        week: requested.week,
        path: requested.path,
        bytes: opened.bytes,
        at: new Date(ctx.clock()).toISOString(),
      });
      return reply.send(opened.handle.createReadStream());
    },
  );

  app.get("/api/weeks", async (request, reply) => {
    const recipient = await requireRecipient(request, reply, true);
    if (recipient === undefined) return reply;
    const weeks = await listPublishedWeeks(settings.outDir);
    const listed = await Promise.all(
      weeks.map(async (week) => {
        const overview = await readWeekOverview(settings.outDir, week);
        return {
          week,
          test_week: overview?.testWeek ?? null,
          red: overview?.red ?? null,
          green: overview?.green ?? null,
          url: `/api/weeks/${week}`,
        };
      }),
    );
    return reply.header("cache-control", "no-store").send({
      recipient: { id: recipient.id, role: recipient.role, codes: recipient.codes },
      weeks: listed,
    });
  });

  app.get<{ Params: { week: string } }>("/api/weeks/:week", async (request, reply) => {
    const recipient = await requireRecipient(request, reply, true);
    if (recipient === undefined) return reply;
    const { week } = request.params;
    if (!(await isPublished(settings.outDir, week))) return reply.code(404).send({ error: "not found" });
    const overview = await readWeekOverview(settings.outDir, week);
    const files = await scopedFiles(settings.outDir, week, recipient);
    return reply.header("cache-control", "no-store").send({
      week,
      test_week: overview?.testWeek ?? null,
      files: files.map((file) => ({ path: file.path, bytes: file.bytes, url: fileUrl(week, file.path) })),
    });
  });
}

import type { StoredRecipient } from "../store/recipients.ts";
import type { PublishedFile } from "./published-files.ts";
import { formatBytes, type Places, type Texts } from "./texts.ts";
import {
  hasChanged,
  type MunicipalityStatus,
  type PickupTotals,
  type WeekOverview,
} from "./week-overview.ts";

/*
 * The portal's HTML: server-rendered, no JavaScript (the CSP allows none), one stylesheet.
 * Every value is escaped; links to files encode each path segment.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The download URL of a file of a week (each segment percent-encoded). */
export function fileUrl(week: string, path: string): string {
  return `/weeks/${week}/files/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export type PageFrame = {
  readonly texts: Texts;
  readonly title: string;
  /** The signed-in recipient: shows who and the sign-out button. */
  readonly recipient?: { readonly value: StoredRecipient; readonly places: Places } | undefined;
};

/** A whole page around `body` (already HTML). */
export function renderPage(frame: PageFrame, body: string): string {
  const { texts } = frame;
  const who =
    frame.recipient === undefined
      ? ""
      : `<div class="who"><p><span class="muted">${escapeHtml(texts.signedInAs)}</span> <strong>${escapeHtml(frame.recipient.value.label)}</strong><br><span class="muted">${escapeHtml(texts.scope(frame.recipient.value, frame.recipient.places))}</span></p>
<form method="post" action="/logout"><button type="submit" class="secondary">${escapeHtml(texts.logout)}</button></form></div>`;
  return `<!doctype html>
<html lang="${texts.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(frame.title)} – testrota</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/portal.css">
</head>
<body>
<a class="skip" href="#main">${escapeHtml(texts.skip)}</a>
<header class="bar"><div class="wrap"><a class="brand" href="/weeks">testrota</a>${who}</div></header>
<main id="main" class="wrap">
${body}
</main>
</body>
</html>
`;
}

/** The sign-in form; `failed` shows why the last attempt was refused. */
export function renderLogin(texts: Texts, failed: boolean): string {
  const error = failed ? `<p class="error" role="alert">${escapeHtml(texts.loginFailed)}</p>` : "";
  return renderPage(
    { texts, title: texts.loginTitle },
    `<h1>${escapeHtml(texts.loginTitle)}</h1>
<p>${escapeHtml(texts.loginIntro)}</p>
${error}<form method="post" action="/login" class="login">
<label for="token">${escapeHtml(texts.tokenLabel)}</label>
<input id="token" name="token" type="password" autocomplete="current-password" spellcheck="false" required aria-describedby="token-hint">
<p id="token-hint" class="hint">${escapeHtml(texts.tokenHint)}</p>
<button type="submit">${escapeHtml(texts.loginButton)}</button>
</form>`,
  );
}

/** A message page (not found, too many requests). */
export function renderMessage(
  texts: Texts,
  title: string,
  message: string,
  recipient?: PageFrame["recipient"],
): string {
  return renderPage(
    { texts, title, recipient },
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/weeks">${escapeHtml(texts.allWeeks)}</a></p>`,
  );
}

function pill(texts: Texts, status: "red" | "green"): string {
  return `<span class="pill ${status}">${escapeHtml(texts.status[status])}</span>`;
}

function counts(texts: Texts, overview: WeekOverview): string {
  const [red, green] = texts.countPills(overview.red, overview.green);
  return `<span class="pill red">${escapeHtml(red)}</span> <span class="pill green">${escapeHtml(green)}</span>`;
}

/** The list of published weeks, newest first. */
export function renderWeekList(
  frame: PageFrame,
  weeks: readonly { readonly week: string; readonly overview: WeekOverview | undefined }[],
): string {
  const { texts } = frame;
  const items = weeks.map(({ week, overview }) => {
    const title = overview === undefined ? week : texts.weekLink(week, overview.testWeek);
    const detail = overview === undefined ? "" : `<span class="counts">${counts(texts, overview)}</span>`;
    return `<li><a href="/weeks/${escapeHtml(week)}"><span class="title">${escapeHtml(title)}</span>${detail}</a></li>`;
  });
  const body =
    weeks.length === 0
      ? `<p>${escapeHtml(texts.noWeeks)}</p>`
      : `<ul class="weeks">\n${items.join("\n")}\n</ul>`;
  return renderPage(frame, `<h1>${escapeHtml(texts.weeksTitle)}</h1>\n${body}`);
}

export type WeekPageData = {
  readonly week: string;
  readonly overview: WeekOverview | undefined;
  /** The municipalities shown in the status table (the scope's), with their tests when known. */
  readonly municipalities: readonly (MunicipalityStatus & { readonly tests?: number | undefined })[];
  /** Show only changed municipalities (national: all 98 would drown the page). */
  readonly changedOnly: boolean;
  readonly pickups?: PickupTotals | undefined;
  readonly files: readonly PublishedFile[];
};

function changeText(texts: Texts, m: MunicipalityStatus): string {
  const parts: string[] = [];
  const event = texts.events[m.event];
  if (event !== undefined && m.event !== "in-flow") parts.push(event);
  else if (m.previousStatus !== null && m.previousStatus !== m.status)
    parts.push(texts.wasStatus(m.previousStatus));
  else if (event !== undefined) parts.push(event);
  if (m.override !== "") parts.push(`STPS: ${m.override}`);
  return parts.join("; ");
}

function statusTable(texts: Texts, rows: WeekPageData["municipalities"]): string {
  const withTests = rows.some((m) => m.tests !== undefined);
  const c = texts.columns;
  const numeric = new Set([c.incidence, c.tests]);
  const head = [c.municipality, c.status, c.incidence, ...(withTests ? [c.tests] : []), c.change]
    .map((label) => `<th scope="col"${numeric.has(label) ? ' class="num"' : ""}>${escapeHtml(label)}</th>`)
    .join("");
  const body = rows.map((m) => {
    const cells = [
      `<th scope="row" data-label="${escapeHtml(c.municipality)}">${escapeHtml(`${m.name} (${m.code})`)}</th>`,
      `<td data-label="${escapeHtml(c.status)}">${pill(texts, m.status)}</td>`,
      `<td data-label="${escapeHtml(c.incidence)}" class="num">${escapeHtml(m.incidence.replace(".", texts.language === "da" ? "," : "."))}</td>`,
      ...(withTests ? [`<td data-label="${escapeHtml(c.tests)}" class="num">${m.tests ?? ""}</td>`] : []),
      `<td data-label="${escapeHtml(c.change)}">${escapeHtml(changeText(texts, m))}</td>`,
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table class="status"><thead><tr>${head}</tr></thead><tbody>\n${body.join("\n")}\n</tbody></table>`;
}

type FileGroup = { readonly label: string; readonly sites: boolean; readonly files: PublishedFile[] };

function groupLabel(dir: string, texts: Texts, places: Places): string {
  if (dir === "") return texts.sharedFiles;
  const parts = dir.split("/");
  const [first, second, third, fourth, fifth] = parts;
  if (first === "municipalities") {
    const name = texts.municipalityFolder(places.municipalityName(Number(second)), Number(second));
    return third === "sites" ? `${name}: ${texts.sitesFolder}` : name;
  }
  if (first === "regions") return texts.regionFolder(places.regionName(Number(second)), Number(second));
  if (first === "lookahead") {
    const ahead = texts.lookaheadFolder(second ?? "");
    if (third !== "municipalities") return ahead;
    const name = texts.municipalityFolder(places.municipalityName(Number(fourth)), Number(fourth));
    return `${ahead}: ${name}${fifth === undefined ? "" : ` / ${fifth}`}`;
  }
  return dir;
}

function groupFiles(files: readonly PublishedFile[], texts: Texts, places: Places): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  for (const file of files) {
    const cut = file.path.lastIndexOf("/");
    const dir = cut < 0 ? "" : file.path.slice(0, cut);
    let group = groups.get(dir);
    if (group === undefined) {
      group = { label: groupLabel(dir, texts, places), sites: dir.endsWith("/sites"), files: [] };
      groups.set(dir, group);
    }
    group.files.push(file);
  }
  // Shared files first, then the scope's own folders, the provisional look-ahead last.
  const rank = (dir: string) => (dir === "" ? 0 : dir.startsWith("lookahead/") ? 2 : 1);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => group);
}

function fileLink(week: string, file: PublishedFile, texts: Texts): string {
  const name = file.path.slice(file.path.lastIndexOf("/") + 1);
  return `<a href="${escapeHtml(fileUrl(week, file.path))}" download><span class="name">${escapeHtml(name)}</span><span class="size">${escapeHtml(formatBytes(file.bytes, texts))}</span></a>`;
}

/** A site's sheet and calendar on one row: `S0101-NH01  [test sheet (PDF) 20 kB] [calendar 2 kB]`. */
function siteRows(week: string, files: readonly PublishedFile[], texts: Texts): string[] {
  const bySite = new Map<string, PublishedFile[]>();
  for (const file of files) {
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    const stem = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : name;
    bySite.set(stem, [...(bySite.get(stem) ?? []), file]);
  }
  return [...bySite].map(([site, siteFiles]) => {
    // The printable sheet first, then the calendar.
    const order = (file: PublishedFile) => (file.path.endsWith(".pdf") ? 0 : 1);
    const links = [...siteFiles]
      .sort((a, b) => order(a) - order(b))
      .map((file) => {
        const extension = file.path.slice(file.path.lastIndexOf(".") + 1).toLowerCase();
        const kind = texts.fileKinds[extension] ?? extension;
        return `<a href="${escapeHtml(fileUrl(week, file.path))}" download><span class="sr">${escapeHtml(site)}: </span><span class="name">${escapeHtml(kind)}</span><span class="size">${escapeHtml(formatBytes(file.bytes, texts))}</span></a>`;
      });
    return `<li class="site"><span class="site-id">${escapeHtml(site)}</span><span class="links">${links.join("")}</span></li>`;
  });
}

function fileList(week: string, group: FileGroup, texts: Texts, index: number): string {
  const items = group.sites
    ? siteRows(week, group.files, texts)
    : group.files.map((file) => `<li>${fileLink(week, file, texts)}</li>`);
  return `<section class="group" aria-labelledby="group-${index}"><h3 id="group-${index}">${escapeHtml(group.label)}</h3>
<ul class="files">
${items.join("\n")}
</ul></section>`;
}

/** One week: status, what changed, the recipient's files with sizes and download links. */
export function renderWeekPage(frame: PageFrame & { readonly places: Places }, data: WeekPageData): string {
  const { texts, places } = frame;
  const { overview } = data;
  const title = overview === undefined ? data.week : texts.weekTitle(data.week, overview.testWeek);
  const sections: string[] = [
    `<nav aria-label="${escapeHtml(texts.breadcrumb)}" class="crumbs"><a href="/weeks">${escapeHtml(texts.allWeeks)}</a></nav>`,
    `<h1>${escapeHtml(title)}</h1>`,
  ];
  if (overview !== undefined) {
    const facts = [
      `<p class="meta">${escapeHtml(texts.published(overview.generatedAt))}<br>${escapeHtml(texts.testWeekDates(overview.testWeek))}</p>`,
    ];
    facts.push(`<p class="counts">${counts(texts, overview)}</p>`);
    if (frame.recipient?.value.role === "national") {
      facts.push(
        `<p>${escapeHtml(texts.nationalTotals(overview.tests, overview.deferred, overview.gapViolations))}</p>`,
      );
    }
    if (data.pickups !== undefined) facts.push(`<p>${escapeHtml(texts.pickups(data.pickups))}</p>`);
    const shown = data.changedOnly ? [] : data.municipalities;
    sections.push(
      `<section aria-labelledby="status"><h2 id="status">${escapeHtml(texts.statusTitle)}</h2>
${facts.join("\n")}
${shown.length > 0 ? statusTable(texts, shown) : ""}</section>`,
    );
    const changed = data.municipalities.filter((m) => hasChanged(m) || m.override !== "");
    const changes =
      changed.length === 0
        ? `<p>${escapeHtml(texts.noChanges)}</p>`
        : `<ul class="changes">\n${changed
            .map(
              (m) =>
                `<li><strong>${escapeHtml(`${m.name} (${m.code})`)}</strong> ${pill(texts, m.status)} ${escapeHtml(changeText(texts, m))}</li>`,
            )
            .join("\n")}\n</ul>`;
    sections.push(
      `<section aria-labelledby="changes"><h2 id="changes">${escapeHtml(texts.changesTitle)}</h2>\n${changes}</section>`,
    );
  }
  const groups = groupFiles(data.files, texts, places);
  sections.push(
    `<section aria-labelledby="files"><h2 id="files">${escapeHtml(texts.filesTitle)}</h2>
${groups.length === 0 ? `<p>${escapeHtml(texts.noFiles)}</p>` : groups.map((g, i) => fileList(data.week, g, texts, i)).join("\n")}
</section>`,
  );
  return renderPage(frame, sections.join("\n"));
}

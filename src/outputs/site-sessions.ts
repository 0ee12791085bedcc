import { createHash } from "node:crypto";
import type { IsoDate, Weekday } from "../domain/calendar.ts";
import type { TestReason } from "../domain/plan-types.ts";
import { SHIFTS, type Shift, type Site, type SiteKind } from "../domain/roster.ts";
import { compareText } from "./compare-text.ts";
import type { RotaRow } from "./rota-files.ts";

/** One person to be tested in a session. */
export type SessionPerson = {
  readonly employeeId: string;
  /** Empty when the HR export carries no name. */
  readonly name: string;
  readonly reason: TestReason;
};

/** The tests of one site on one date in one shift: what a swabber does in one visit. */
export type Session = {
  readonly date: IsoDate;
  readonly weekday: Weekday;
  readonly shift: Shift;
  /** By employee id. */
  readonly people: readonly SessionPerson[];
};

/** One site's sessions of the test week (plain data: a worker thread can render it). */
export type SiteSessions = {
  readonly siteId: string;
  readonly siteName: string;
  readonly kind: SiteKind;
  readonly address: string;
  /** File name stem for `sites/<stem>.pdf|.ics`: the site id when it is a safe file name. */
  readonly fileStem: string;
  /** By date, then shift (day, evening, night). Empty when nobody at the site is tested. */
  readonly sessions: readonly Session[];
};

const SAFE_STEM = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$/u;

/**
 * The file name stem of a site's documents: the site id itself when it is a plain name (letters,
 * digits, `.`, `_`, `-`, at most 100 characters); otherwise the id with every other character
 * replaced by `_` and a short digest of the id, so two ids never share a file.
 */
export function siteFileStem(siteId: string): string {
  if (SAFE_STEM.test(siteId)) return siteId;
  const digest = createHash("sha256").update(siteId).digest("hex").slice(0, 8);
  const plain = siteId.replace(/[^\p{L}\p{N}_-]/gu, "_").slice(0, 80);
  return `${plain === "" ? "site" : plain}-${digest}`;
}

function compareSession(a: Session, b: Session): number {
  return compareText(a.date, b.date) || SHIFTS.indexOf(a.shift) - SHIFTS.indexOf(b.shift);
}

/**
 * One municipality's rota rows as sites with sessions: every site of `sites` (the municipality's
 * own, sorted by id), each with its sessions by date and shift and the people by employee id.
 * Sites without tests this week keep an empty session list (the cover sheet counts them too).
 * A row of a site not in `sites` is a bug upstream and throws (naming the site only).
 */
export function groupSiteSessions(rows: readonly RotaRow[], sites: readonly Site[]): SiteSessions[] {
  const bySite = new Map<
    string,
    Map<string, { session: Omit<Session, "people">; people: SessionPerson[] }>
  >();
  for (const site of sites) bySite.set(site.id, new Map());
  for (const row of rows) {
    const sessions = bySite.get(row.siteId);
    if (sessions === undefined)
      throw new Error(`site sessions: rota row of site ${row.siteId} outside its municipality`);
    const key = `${row.date} ${row.shift}`;
    let entry = sessions.get(key);
    if (entry === undefined) {
      entry = { session: { date: row.date, weekday: row.weekday, shift: row.shift }, people: [] };
      sessions.set(key, entry);
    }
    entry.people.push({ employeeId: row.employeeId, name: row.name, reason: row.reason });
  }
  return [...sites]
    .sort((a, b) => compareText(a.id, b.id))
    .map((site) => {
      const sessions = [...(bySite.get(site.id)?.values() ?? [])]
        .map(({ session, people }) => ({
          ...session,
          people: people.sort((a, b) => compareText(a.employeeId, b.employeeId)),
        }))
        .sort(compareSession);
      return {
        siteId: site.id,
        siteName: site.name,
        kind: site.kind,
        address: site.address,
        fileStem: siteFileStem(site.id),
        sessions,
      };
    });
}

/** Tests of a site in the week. */
export function countSiteTests(site: SiteSessions): number {
  return site.sessions.reduce((sum, session) => sum + session.people.length, 0);
}

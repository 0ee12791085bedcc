import { DateTime } from "luxon";
import { RECIPIENT_ID } from "../portal/token.ts";
import type { Places } from "../portal/texts.ts";
import { readReferenceTable } from "../roster/read-reference.ts";
import {
  RECIPIENT_ROLES,
  type RecipientRole,
  type RecipientScope,
  type StoredRecipient,
} from "../store/recipients.ts";
import type { App } from "../worker/app.ts";
import { formatInstant, stringFlag, type Flags } from "./command.ts";

/*
 * What the recipient commands share: the scope flags, the expiry flag, default ids and labels,
 * and how a recipient is shown (never its token hash).
 */

export const SCOPE_OPTIONS = `  --role ROLE          municipality | region | national
  --municipality CODES  municipality codes for role municipality, e.g. 101 or 101,147
  --region CODE        the region code for role region (1081–1085), e.g. 1084`;

/** The places of the reference: municipality and region names by code. */
export async function placesOf(app: App): Promise<Places> {
  const table = await readReferenceTable(app.config.reference, undefined, app.config.referenceRules);
  const municipalities = new Map(table.municipalities.map((m) => [m.code, m.name]));
  const regions = new Map(table.regions.map((r) => [r.code, r.name]));
  return {
    municipalityName: (code) => municipalities.get(code) ?? `kommune ${code}`,
    regionName: (code) => regions.get(code) ?? `region ${code}`,
  };
}

/** The scope given by --role, --municipality and --region; problems are recorded. */
export function scopeFlags(flags: Flags, problems: string[]): RecipientScope | undefined {
  const role = stringFlag(flags, "role") ?? "";
  if (!RECIPIENT_ROLES.includes(role as RecipientRole)) {
    problems.push(`--role: got ${JSON.stringify(role)}, expected ${RECIPIENT_ROLES.join(" | ")}`);
    return undefined;
  }
  const municipalities = stringFlag(flags, "municipality");
  const region = stringFlag(flags, "region");
  const codesOf = (text: string, flag: string) => {
    const parts = text.split(",").map((part) => part.trim());
    if (parts.some((part) => !/^\d+$/.test(part))) {
      problems.push(`--${flag}: got ${JSON.stringify(text)}, expected codes like 101 or 101,147`);
      return [];
    }
    return [...new Set(parts.map(Number))].sort((a, b) => a - b);
  };
  if (role === "municipality") {
    if (region !== undefined) problems.push("--region: only for role region");
    if (municipalities === undefined) {
      problems.push("--municipality: missing, expected the municipality codes of the coordinator, e.g. 101");
      return undefined;
    }
    return { role, codes: codesOf(municipalities, "municipality") };
  }
  if (role === "region") {
    if (municipalities !== undefined) problems.push("--municipality: only for role municipality");
    if (region === undefined || !/^\d+$/.test(region.trim())) {
      problems.push(`--region: got ${JSON.stringify(region ?? "")}, expected one region code like 1084`);
      return undefined;
    }
    return { role, codes: [Number(region.trim())] };
  }
  if (municipalities !== undefined || region !== undefined) {
    problems.push("--municipality/--region: a national recipient has no codes (it sees no names at all)");
  }
  return { role: "national", codes: [] };
}

/** Problems with the scope's codes against the reference (unknown municipality or region). */
export function checkScope(app: App, scope: RecipientScope): string[] {
  const municipalities = new Set(app.municipalities.map((m) => m.code));
  const regions = new Set(app.municipalities.map((m) => m.regionCode));
  if (scope.role === "municipality") {
    return scope.codes
      .filter((code) => !municipalities.has(code))
      .map(
        (code) =>
          `--municipality: got ${code}, expected one of the ${municipalities.size} municipality codes of ${app.config.reference}`,
      );
  }
  if (scope.role === "region") {
    return scope.codes
      .filter((code) => !regions.has(code))
      .map((code) => `--region: got ${code}, expected one of ${[...regions].sort().join(", ")}`);
  }
  return [];
}

/**
 * `--expires YYYY-MM-DD`: the token is valid through that day (config timezone), so it expires
 * at the next midnight; `never` clears an expiry. Undefined when the flag is absent.
 */
export function expiryFlag(flags: Flags, zone: string, problems: string[]): string | null | undefined {
  const text = stringFlag(flags, "expires");
  if (text === undefined) return undefined;
  if (text === "never") return null;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone }) : undefined;
  if (day === undefined || !day.isValid) {
    problems.push(
      `--expires: got ${JSON.stringify(text)}, expected a date YYYY-MM-DD (valid through that day) or never`,
    );
    return undefined;
  }
  return day.plus({ days: 1 }).toUTC().toISO() ?? undefined;
}

/** `--id`, checked; undefined when absent. */
export function idFlag(flags: Flags, problems: string[]): string | undefined {
  const id = stringFlag(flags, "id")?.trim();
  if (id === undefined) return undefined;
  if (!RECIPIENT_ID.test(id)) {
    problems.push(`--id: got ${JSON.stringify(id)}, expected lowercase letters, digits and - (at most 48)`);
  }
  return id;
}

/** `municipality-101`, `region-1084`, `national`, with `-2`, `-3`… while taken (removed ids stay taken). */
export function defaultRecipientId(scope: RecipientScope, taken: (id: string) => boolean): string {
  const base = scope.role === "national" ? "national" : `${scope.role}-${scope.codes.join("-")}`.slice(0, 44);
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}

/** A label when none is given: the municipalities' or the region's names, or "national". */
export function defaultLabel(scope: RecipientScope, places: Places): string {
  if (scope.role === "municipality")
    return scope.codes.map((code) => `${places.municipalityName(code)} (${code})`).join(", ");
  if (scope.role === "region") return places.regionName(scope.codes[0] ?? 0);
  return "National";
}

/** The roles a scope reads as: `municipality 101,147`. */
export function describeScope(scope: RecipientScope): string {
  return scope.codes.length === 0 ? scope.role : `${scope.role} ${scope.codes.join(",")}`;
}

/** A recipient as printed with --json: everything but the token hash. */
export function recipientJson(recipient: StoredRecipient): Record<string, unknown> {
  const { tokenHash: _hash, ...shown } = recipient;
  return shown;
}

/** One line per recipient for the text output. */
export function recipientLine(recipient: StoredRecipient, zone: string): string {
  const expiry =
    recipient.expiresAt === null ? "no expiry" : `expires ${formatInstant(recipient.expiresAt, zone)}`;
  const removed =
    recipient.removedAt === null
      ? ""
      : `  REMOVED by ${recipient.removedBy ?? "?"} at ${formatInstant(recipient.removedAt, zone)}`;
  return `${recipient.id}  ${describeScope(recipient)}  ${recipient.email}  "${recipient.label}"  ${expiry}, token set ${formatInstant(recipient.tokenSetAt, zone)}${removed}`;
}

/** The lines that hand a token over: shown once, never stored. */
export function tokenLines(token: string): string[] {
  return ["token (shown only now; testrota keeps only its hash; hand it to the recipient):", `  ${token}`];
}

/** A plausible e-mail address (the SMTP server has the last word). */
export function emailFlag(flags: Flags, problems: string[]): string {
  const email = stringFlag(flags, "email")?.trim() ?? "";
  if (!/^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/.test(email)) {
    problems.push(`--email: got ${JSON.stringify(email)}, expected the recipient's e-mail address`);
  }
  return email;
}

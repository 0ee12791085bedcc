import { DEFAULT_SHIFT_HOURS, type ShiftHours } from "../domain/shift-hours.ts";
import type { DocumentLanguage } from "./document-labels.ts";

/**
 * Settings of the documents people read (plain data, so a worker thread can take them). From
 * config: `documents.language`, `documents.shiftHours`, `documents.contact` and `timezone`.
 */
export type DocumentSettings = {
  readonly language: DocumentLanguage;
  readonly shiftHours: ShiftHours;
  /** Zone of the shift times in calendars (the run's configured time zone). */
  readonly timezone: string;
  /** Who coordinators contact about the plan, printed on the workbook's cover; empty when not set. */
  readonly contact: string;
  /** The run's scheduled time, ISO-8601: every document's creation date (byte-identical reruns). */
  readonly generatedAt: string;
};

/** What a caller may leave out; {@link resolveDocumentSettings} fills the defaults. */
export type DocumentOptions = {
  readonly language?: DocumentLanguage | undefined;
  readonly shiftHours?: ShiftHours | undefined;
  readonly timezone?: string | undefined;
  readonly contact?: string | undefined;
};

/** Danish, the default shift hours (07–15, 15–23, 23–07), Europe/Copenhagen, no contact. */
export function resolveDocumentSettings(options: DocumentOptions, generatedAt: Date): DocumentSettings {
  return {
    language: options.language ?? "da",
    shiftHours: options.shiftHours ?? DEFAULT_SHIFT_HOURS,
    timezone: options.timezone ?? "Europe/Copenhagen",
    contact: options.contact?.trim() ?? "",
    generatedAt: generatedAt.toISOString(),
  };
}

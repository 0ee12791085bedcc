import { formatIsoWeek } from "../domain/calendar.ts";
import type { Override } from "../domain/classify.ts";
import { InputError } from "../errors.ts";
import { num, text, toStoredOverride } from "./row-codecs.ts";
import type { SqlExecutor } from "./sql-driver.ts";

/** An operator-managed override with its audit trail. */
export type StoredOverride = Override & {
  readonly author: string;
  readonly createdAt: string;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
  readonly removalNote: string | null;
};

export type NewOverride = Override & { readonly author: string; readonly createdAt: string };

export type OverrideRemoval = { readonly author: string; readonly removedAt: string; readonly note: string };

export type PauseInput = {
  readonly paused: boolean;
  readonly note: string;
  readonly author: string;
  readonly at: string;
};

/** The pause flag; author, note and time are null when it was never set. */
export type PauseState = {
  readonly paused: boolean;
  readonly note: string | null;
  readonly author: string | null;
  readonly at: string | null;
};

/** What operators decide between runs: STPS overrides (audited, soft-deleted) and the pause flag. */
export type OperatorState = {
  addOverride(override: NewOverride): Promise<void>;
  removeOverride(id: string, removal: OverrideRemoval): Promise<void>;
  listOverrides(options?: { readonly includeRemoved?: boolean }): Promise<StoredOverride[]>;
  setPaused(input: PauseInput): Promise<void>;
  getPaused(): Promise<PauseState>;
};

export function createOperatorState(db: SqlExecutor, path: string): OperatorState {
  function overrideProblem(id: string, problem: string): InputError {
    return new InputError({ file: path, path: `overrides.${id}` }, problem);
  }

  return {
    async addOverride(o) {
      if ((await db.get("SELECT 1 FROM overrides WHERE id = ?", o.id)) !== undefined) {
        throw overrideProblem(
          o.id,
          "an override with this id exists (removed ones keep their id); expected a new id",
        );
      }
      await db.run(
        `INSERT INTO overrides (id, municipality_code, from_week, to_week, action, site_ids, reason, author,
           created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        o.id,
        o.municipalityCode,
        formatIsoWeek(o.from),
        formatIsoWeek(o.to),
        o.action,
        JSON.stringify(o.siteIds),
        o.reason,
        o.author,
        o.createdAt,
      );
    },

    async removeOverride(id, removal) {
      // Soft delete: the decision and who withdrew it stay in the audit trail.
      const changes = await db.run(
        `UPDATE overrides SET removed_at = ?, removed_by = ?, removal_note = ?
         WHERE id = ? AND removed_at IS NULL`,
        removal.removedAt,
        removal.author,
        removal.note,
        id,
      );
      if (changes !== 1) {
        throw overrideProblem(id, "no active override with this id; expected the id of an active override");
      }
    },

    async listOverrides(options = {}) {
      // Insertion order matters: when several overrides apply, the last one listed wins.
      const sql =
        options.includeRemoved === true
          ? "SELECT * FROM overrides ORDER BY seq"
          : "SELECT * FROM overrides WHERE removed_at IS NULL ORDER BY seq";
      return (await db.all(sql)).map(toStoredOverride);
    },

    async setPaused(input) {
      await db.run(
        "INSERT INTO pause_events (paused, note, author, at) VALUES (?, ?, ?, ?)",
        input.paused ? 1 : 0,
        input.note,
        input.author,
        input.at,
      );
    },

    async getPaused() {
      const row = await db.get("SELECT * FROM pause_events ORDER BY seq DESC LIMIT 1");
      if (row === undefined) return { paused: false, note: null, author: null, at: null };
      return {
        paused: num(row, "paused") === 1,
        note: text(row, "note"),
        author: text(row, "author"),
        at: text(row, "at"),
      };
    },
  };
}

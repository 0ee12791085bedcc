import { num, text, type Row } from "./row-codecs.ts";
import type { SqlExecutor } from "./sql-driver.ts";

/** One file fetched from the portal: who, which file of which week, when (never the token). */
export type DownloadRecord = {
  readonly recipientId: string;
  /** The week folder, e.g. `2020-W40`. */
  readonly week: string;
  /** The file's path inside the week folder. */
  readonly path: string;
  readonly bytes: number;
  /** ISO instant. */
  readonly at: string;
};

export type StoredDownload = DownloadRecord & { readonly seq: number };

export type DownloadQuery = {
  readonly recipientId?: string | undefined;
  readonly week?: string | undefined;
  /** Newest first, at most this many (default: all). */
  readonly limit?: number | undefined;
};

export type DownloadAudit = {
  recordDownload(download: DownloadRecord): Promise<void>;
  /** Downloads, newest first. */
  listDownloads(query?: DownloadQuery): Promise<StoredDownload[]>;
};

function toDownload(row: Row): StoredDownload {
  return {
    seq: num(row, "seq"),
    recipientId: text(row, "recipient_id"),
    week: text(row, "week"),
    path: text(row, "path"),
    bytes: num(row, "bytes"),
    at: text(row, "at"),
  };
}

export function createDownloadAudit(db: SqlExecutor): DownloadAudit {
  return {
    async recordDownload(d) {
      await db.run(
        "INSERT INTO downloads (recipient_id, week, path, bytes, at) VALUES (?, ?, ?, ?, ?)",
        d.recipientId,
        d.week,
        d.path,
        d.bytes,
        d.at,
      );
    },

    async listDownloads(query = {}) {
      const conditions: string[] = [];
      const values: (string | number)[] = [];
      if (query.recipientId !== undefined) {
        conditions.push("recipient_id = ?");
        values.push(query.recipientId);
      }
      if (query.week !== undefined) {
        conditions.push("week = ?");
        values.push(query.week);
      }
      const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
      const limit = query.limit === undefined ? "" : "LIMIT ?";
      if (query.limit !== undefined) values.push(Math.max(0, Math.floor(query.limit)));
      return (await db.all(`SELECT * FROM downloads ${where} ORDER BY seq DESC ${limit}`, ...values)).map(
        toDownload,
      );
    },
  };
}

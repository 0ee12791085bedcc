import { InputError } from "../errors.ts";
import { num, text, textOrNull, type Row } from "./row-codecs.ts";
import type { SqlDriver, SqlExecutor } from "./sql-driver.ts";

/*
 * Who receives the published files: a role, a scope and a contact address. The access token is
 * never stored, only its hash; changes (add, rotate, remove) are kept as audited events and a
 * removed recipient stays on file (downloads refer to it).
 */

export const RECIPIENT_ROLES = ["municipality", "region", "national"] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

/**
 * What a recipient may see: `municipality` one or more municipality codes, `region` exactly one
 * region code, `national` no codes (no names at all).
 */
export type RecipientScope = { readonly role: RecipientRole; readonly codes: readonly number[] };

export type StoredRecipient = RecipientScope & {
  readonly id: string;
  readonly email: string;
  /** Who the recipient is, e.g. "Københavns Kommune, testkoordinator" (an office, not staff). */
  readonly label: string;
  /** Hex SHA-256 of the token's secret part. */
  readonly tokenHash: string;
  readonly tokenSetAt: string;
  /** ISO instant after which the token is refused; null: no expiry. */
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
};

export type NewRecipient = RecipientScope & {
  readonly id: string;
  readonly email: string;
  readonly label: string;
  readonly tokenHash: string;
  readonly expiresAt: string | null;
  readonly author: string;
  readonly at: string;
};

export type TokenRotation = {
  readonly tokenHash: string;
  /** Undefined keeps the current expiry. */
  readonly expiresAt?: string | null | undefined;
  readonly author: string;
  readonly at: string;
};

export type RecipientRemoval = { readonly author: string; readonly at: string; readonly note: string };

export type RecipientEvent = {
  readonly seq: number;
  readonly recipientId: string;
  readonly action: "add" | "rotate" | "remove";
  readonly author: string;
  readonly at: string;
  readonly note: string;
};

export type RecipientState = {
  addRecipient(recipient: NewRecipient): Promise<void>;
  /** The recipient with this id, removed ones included; undefined when there is none. */
  getRecipient(id: string): Promise<StoredRecipient | undefined>;
  listRecipients(options?: { readonly includeRemoved?: boolean }): Promise<StoredRecipient[]>;
  rotateRecipientToken(id: string, rotation: TokenRotation): Promise<void>;
  removeRecipient(id: string, removal: RecipientRemoval): Promise<void>;
  /** The audited changes, oldest first; of one recipient when `recipientId` is given. */
  listRecipientEvents(recipientId?: string): Promise<RecipientEvent[]>;
};

function toRecipient(row: Row): StoredRecipient {
  const codes: unknown = JSON.parse(text(row, "codes"));
  if (!Array.isArray(codes) || !codes.every((c) => Number.isInteger(c))) {
    throw new Error("state store: column codes is not a JSON list of integers");
  }
  return {
    id: text(row, "id"),
    role: text(row, "role") as RecipientRole,
    codes: codes as number[],
    email: text(row, "email"),
    label: text(row, "label"),
    tokenHash: text(row, "token_hash"),
    tokenSetAt: text(row, "token_set_at"),
    expiresAt: textOrNull(row, "expires_at"),
    createdAt: text(row, "created_at"),
    createdBy: text(row, "created_by"),
    removedAt: textOrNull(row, "removed_at"),
    removedBy: textOrNull(row, "removed_by"),
  };
}

function toEvent(row: Row): RecipientEvent {
  return {
    seq: num(row, "seq"),
    recipientId: text(row, "recipient_id"),
    action: text(row, "action") as RecipientEvent["action"],
    author: text(row, "author"),
    at: text(row, "at"),
    note: text(row, "note"),
  };
}

export function createRecipientState(db: SqlDriver, path: string): RecipientState {
  function problem(id: string, message: string): InputError {
    return new InputError({ file: path, path: `recipients.${id}` }, message);
  }
  async function addEvent(
    tx: SqlExecutor,
    id: string,
    action: RecipientEvent["action"],
    author: string,
    at: string,
    note: string,
  ): Promise<void> {
    await tx.run(
      "INSERT INTO recipient_events (recipient_id, action, author, at, note) VALUES (?, ?, ?, ?, ?)",
      id,
      action,
      author,
      at,
      note,
    );
  }

  return {
    addRecipient(r) {
      return db.transaction(async (tx) => {
        if ((await tx.get("SELECT 1 FROM recipients WHERE id = ?", r.id)) !== undefined) {
          throw problem(
            r.id,
            "a recipient with this id exists (removed ones keep their id); expected a new id",
          );
        }
        await tx.run(
          `INSERT INTO recipients (id, role, codes, email, label, token_hash, token_set_at, expires_at,
             created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          r.id,
          r.role,
          JSON.stringify(r.codes),
          r.email,
          r.label,
          r.tokenHash,
          r.at,
          r.expiresAt,
          r.at,
          r.author,
        );
        await addEvent(tx, r.id, "add", r.author, r.at, `${r.role} ${r.codes.join(",")}`.trim());
      });
    },

    async getRecipient(id) {
      const row = await db.get("SELECT * FROM recipients WHERE id = ?", id);
      return row === undefined ? undefined : toRecipient(row);
    },

    async listRecipients(options = {}) {
      const sql =
        options.includeRemoved === true
          ? "SELECT * FROM recipients ORDER BY id"
          : "SELECT * FROM recipients WHERE removed_at IS NULL ORDER BY id";
      return (await db.all(sql)).map(toRecipient);
    },

    rotateRecipientToken(id, rotation) {
      return db.transaction(async (tx) => {
        const changes =
          rotation.expiresAt === undefined
            ? await tx.run(
                "UPDATE recipients SET token_hash = ?, token_set_at = ? WHERE id = ? AND removed_at IS NULL",
                rotation.tokenHash,
                rotation.at,
                id,
              )
            : await tx.run(
                `UPDATE recipients SET token_hash = ?, token_set_at = ?, expires_at = ?
                 WHERE id = ? AND removed_at IS NULL`,
                rotation.tokenHash,
                rotation.at,
                rotation.expiresAt,
                id,
              );
        if (changes !== 1) {
          throw problem(id, "no active recipient with this id; expected the id of an active recipient");
        }
        const expiry = rotation.expiresAt === undefined ? "" : `expires ${rotation.expiresAt ?? "never"}`;
        await addEvent(tx, id, "rotate", rotation.author, rotation.at, expiry);
      });
    },

    removeRecipient(id, removal) {
      return db.transaction(async (tx) => {
        const changes = await tx.run(
          "UPDATE recipients SET removed_at = ?, removed_by = ? WHERE id = ? AND removed_at IS NULL",
          removal.at,
          removal.author,
          id,
        );
        if (changes !== 1) {
          throw problem(id, "no active recipient with this id; expected the id of an active recipient");
        }
        await addEvent(tx, id, "remove", removal.author, removal.at, removal.note);
      });
    },

    async listRecipientEvents(recipientId) {
      const rows =
        recipientId === undefined
          ? await db.all("SELECT * FROM recipient_events ORDER BY seq")
          : await db.all("SELECT * FROM recipient_events WHERE recipient_id = ? ORDER BY seq", recipientId);
      return rows.map(toEvent);
    },
  };
}

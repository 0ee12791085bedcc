import { join } from "node:path";
import type { StoreConfig } from "../config.ts";
import { storeExistedBefore, type OpenStoreOptions } from "./open-database.ts";
import { openStateStore } from "./sqlite-store.ts";
import type { StateStore } from "./state-store.ts";

/** The SQLite store's file in the data directory. */
export const SQLITE_STORE_FILE = "testrota.sqlite";

/**
 * Opens the state store the config names: SQLite in `dataDir` (the default), or PostgreSQL
 * (loaded only then: an installation without a server never loads the `pg` client).
 */
export async function openConfiguredStore(
  config: { readonly dataDir: string; readonly store: StoreConfig },
  options: OpenStoreOptions = {},
): Promise<StateStore> {
  if (config.store.type === "sqlite") return openStateStore(join(config.dataDir, SQLITE_STORE_FILE), options);
  const { openPostgresStore } = await import("./postgres-store.ts");
  // A data directory that has seen runs (raw captures, a SQLite store's marker) expects a store
  // with their weeks: an absent schema then is a vanished store or one never migrated.
  const existedBefore = storeExistedBefore(join(config.dataDir, SQLITE_STORE_FILE));
  return openPostgresStore(config.store, { existedBefore, reinitialise: options.reinitialise });
}

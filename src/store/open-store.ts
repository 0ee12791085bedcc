import { join } from "node:path";
import type { StoreConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import { storeExistedBefore, type OpenStoreOptions } from "./open-database.ts";
import { importFileCaptures } from "./raw-capture-files.ts";
import { openStateStore } from "./sqlite-store.ts";
import type { StateStore } from "./state-store.ts";

/** The SQLite store's file in the data directory. */
export const SQLITE_STORE_FILE = "testrota.sqlite";

export type OpenConfiguredStoreOptions = OpenStoreOptions & {
  /** Where the import of file captures (from earlier versions) reports what it did. */
  readonly logger?: Logger | undefined;
};

/**
 * Opens the state store the config names: SQLite in `dataDir` (the default), or PostgreSQL
 * (loaded only then: an installation without a server never loads the `pg` client). Raw captures
 * that earlier versions wrote as files in `dataDir/raw/` are then moved into it (see
 * store/raw-capture-files.ts); a capture that cannot be moved is a warning, never a failed open.
 */
export async function openConfiguredStore(
  config: { readonly dataDir: string; readonly store: StoreConfig },
  options: OpenConfiguredStoreOptions = {},
): Promise<StateStore> {
  const store = await openStore(config, options);
  try {
    const moved = await importFileCaptures(config.dataDir, store);
    if (moved.imported.length > 0) {
      options.logger?.info(
        { runs: moved.imported.length, store: store.path },
        "raw captures of earlier versions moved from the data directory into the state store",
      );
    }
    for (const { folder, problem } of moved.skipped) {
      options.logger?.warn(
        { folder, problem },
        "raw capture folder left where it is: not moved into the store",
      );
    }
  } catch (error) {
    options.logger?.warn(
      { err: error },
      "raw captures in the data directory could not be moved into the store",
    );
  }
  return store;
}

async function openStore(
  config: { readonly dataDir: string; readonly store: StoreConfig },
  options: OpenStoreOptions,
): Promise<StateStore> {
  if (config.store.type === "sqlite") return openStateStore(join(config.dataDir, SQLITE_STORE_FILE), options);
  const { openPostgresStore } = await import("./postgres-store.ts");
  // A data directory that has seen runs (the runs marker, raw captures of earlier versions, a
  // SQLite store's marker) expects a store with their weeks: an absent schema then is a vanished
  // store or one never migrated.
  const existedBefore = storeExistedBefore(join(config.dataDir, SQLITE_STORE_FILE));
  return openPostgresStore(config.store, { existedBefore, reinitialise: options.reinitialise });
}

import { openPostgresStore } from "../../src/store/postgres-store.ts";
import { openStateStore } from "../../src/store/sqlite-store.ts";
import type { StateStore } from "../../src/store/state-store.ts";

/*
 * Where a store under test is, in a form a child process gets as JSON (the crash and fault
 * fixtures): kept apart from store-implementations.ts, which needs the vitest runner.
 */

/** A store's place: the SQLite file, or the PostgreSQL server and schema. */
export type StoreLocation =
  | { readonly type: "sqlite"; readonly path: string }
  | { readonly type: "postgres"; readonly url: string; readonly schema: string };

/** The environment variable a fixture process reads its store's location from. */
export const STORE_LOCATION_ENV = "TESTROTA_TEST_STORE";

/** Opens the store at `location` (as a child process does). */
export async function openStoreAt(location: StoreLocation): Promise<StateStore> {
  return location.type === "sqlite"
    ? openStateStore(location.path)
    : openPostgresStore({ url: location.url, schema: location.schema });
}

/** The store location a fixture process was given in its environment. */
export function storeLocationFromEnv(): StoreLocation {
  const text = process.env[STORE_LOCATION_ENV];
  if (text === undefined) throw new Error(`${STORE_LOCATION_ENV}: expected the store's location as JSON`);
  return JSON.parse(text) as StoreLocation;
}

import { z } from "zod";

/*
 * Config keys of how a run uses the machine and the store: the retention of past weeks' state
 * and the document rendering threads (see the README's Benchmark section).
 */

export const retentionSchema = z
  .strictObject({
    weeks: z
      .number()
      .int()
      .min(1)
      .max(520)
      .default(4)
      .describe(
        "The latest this many committed weeks stay re-runnable with byte-identical files: older cycle-slot snapshots, deferred tests and raw captures are pruned after every successful run (and by `testrota prune`), planned tests 12 weeks later (the report's history and the attendance review). Classifications, cadence states, the run ledger and the published folders are kept.",
      ),
  })
  .describe("How long the bulky state of past weeks is kept (`testrota prune`, docs/cli.md).");

export const renderSchema = z
  .strictObject({
    threads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe(
        "Worker threads rendering the documents (workbooks, site sheets, calendars); default one per core (`os.availableParallelism()`). The files are the same bytes whatever the count.",
      ),
  })
  .describe("How the documents are rendered.");

const sqliteStore = z
  .strictObject({
    type: z.literal("sqlite"),
  })
  .describe(
    "The embedded default: `testrota.sqlite` in `dataDir`, no server needed. One host: its run lock is a file lock in `dataDir` (docs/postgres.md).",
  );

/** A PostgreSQL schema name testrota creates and owns (lower case, no quoting needed). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const postgresStore = z
  .strictObject({
    type: z.literal("postgres"),
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
      .optional()
      .describe(
        "Connection URL, e.g. `postgres://testrota@db:5432/testrota`. Keep the password out of the file: `TESTROTA_DATABASE_URL` (e.g. from a Kubernetes Secret) wins over this key; credentials are never logged.",
      ),
    schema: z
      .string()
      .regex(SCHEMA_NAME, "expected a lower-case schema name like testrota")
      .default("testrota")
      .describe("Schema holding testrota's tables (created on first start, migrated like the SQLite store)."),
    poolSize: z
      .number()
      .int()
      .min(2)
      .max(50)
      .default(5)
      .describe(
        "Connections per process; a running week holds one more of its own for the week's advisory lock.",
      ),
  })
  .describe(
    "PostgreSQL, for several replicas (high availability): one run per week across them by a session advisory lock per week (docs/postgres.md).",
  );

export const storeSchema = z
  .discriminatedUnion("type", [sqliteStore, postgresStore])
  .describe(
    "Where the state (run ledger, classifications, cadence, slots, plans, overrides, pause state, delivery) lives. `TESTROTA_DATABASE_URL` set selects PostgreSQL with that URL.",
  );

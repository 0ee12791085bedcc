import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SourceError } from "../../src/errors.ts";
import { createReadLocation } from "../../src/sources/read-location.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "testrota-read-location-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createReadLocation", () => {
  it("reads a path and a file: URL", async () => {
    const path = join(dir, "a.csv");
    await writeFile(path, "code;incidence\n");
    const read = createReadLocation({});
    expect(Buffer.from(await read(path)).toString("utf8")).toBe("code;incidence\n");
    expect(Buffer.from(await read(pathToFileURL(path).href)).toString("utf8")).toBe("code;incidence\n");
  });

  it("names a missing file", async () => {
    const path = join(dir, "missing.csv");
    await expect(createReadLocation({})(path)).rejects.toThrow(
      new SourceError(path, "file not found, expected the incidence file at this path"),
    );
  });

  it("refuses a URL without an HTTP client, without leaking credentials", async () => {
    const error = await createReadLocation({})("https://u:secret@example.invalid/x.csv").catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(
      "source https://example.invalid/x.csv: no HTTP client available to fetch this URL",
    );
  });
});

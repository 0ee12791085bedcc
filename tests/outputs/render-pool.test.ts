import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPhaseTimer } from "../../src/lib/phase-timer.ts";
import { planMunicipalityJobs, type DocumentJob } from "../../src/outputs/document-jobs.ts";
import { renderDocumentJobs } from "../../src/outputs/render-pool.ts";
import { groupSiteSessions } from "../../src/outputs/site-sessions.ts";
import { createStagingFolder } from "../../src/outputs/staging.ts";
import { classifyStorageFault } from "../../src/store/storage-fault.ts";
import { FACTS, FRAME, ROWS, SITES, settings } from "./document-fixture.ts";

// Ærø's week (two sites with tests, one without) in Danish and in English: two workbooks, four
// site sheets and four calendars, interleaved as renderWeekFiles plans them.
function jobs(): DocumentJob[] {
  const sites = groupSiteSessions(ROWS, SITES);
  return [
    ...planMunicipalityJobs("municipalities/492", {
      municipality: FACTS,
      frame: FRAME,
      sites,
      settings: settings("da"),
    }),
    ...planMunicipalityJobs("en/492", { municipality: FACTS, frame: FRAME, sites, settings: settings("en") }),
  ];
}

function signature(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array())
    .subarray(0, 15)
    .toString("latin1");
}

describe("renderDocumentJobs", () => {
  it("gives the same bytes, in the jobs' order, on 1 thread and on 4", async () => {
    const planned = jobs();
    expect(planned.map((job) => job.kind)).toEqual([
      "workbook",
      "site-sheet",
      "site-calendar",
      "site-sheet",
      "site-calendar",
      "workbook",
      "site-sheet",
      "site-calendar",
      "site-sheet",
      "site-calendar",
    ]);
    const single = await renderDocumentJobs(planned, { threads: 1 });
    const pooled = await renderDocumentJobs(planned, { threads: 4 });
    expect(pooled).toHaveLength(planned.length);
    planned.forEach((job, index) => {
      // Each output is its own job's document: a zip (xlsx), a PDF or a calendar.
      const expected = {
        workbook: "PK\u0003\u0004",
        "site-sheet": "%PDF-",
        "site-calendar": "BEGIN:VCALENDAR",
        routes: "%PDF-",
      }[job.kind];
      expect(signature(pooled[index]).startsWith(expected), job.path).toBe(true);
      expect(Buffer.from(pooled[index] ?? []).equals(Buffer.from(single[index] ?? [1])), job.path).toBe(true);
    });
    // The Danish and the English sheet of a site differ: the outputs are not one document repeated.
    expect(Buffer.from(pooled[1] ?? []).equals(Buffer.from(pooled[6] ?? []))).toBe(false);
  });

  it("times each document family as a phase", async () => {
    const timer = createPhaseTimer();
    await renderDocumentJobs(jobs(), { threads: 2, timer });
    expect(timer.phases().map((p) => p.phase)).toEqual(["workbook", "site-sheet", "site-calendar"]);
  });

  it("fails with the path of a job that cannot be rendered, on a thread as in this one", async () => {
    const [workbook] = jobs();
    if (workbook?.kind !== "workbook") throw new Error("fixture: expected the workbook first");
    const broken: DocumentJob = {
      ...workbook,
      path: "municipalities/492/broken.xlsx",
      input: { ...workbook.input, settings: { ...workbook.input.settings, generatedAt: "not a date" } },
    };
    for (const threads of [1, 2]) {
      await expect(renderDocumentJobs([...jobs(), broken], { threads })).rejects.toThrow(
        "municipalities/492/broken.xlsx",
      );
    }
  });

  it("with a staging folder, writes each document there and returns its size and SHA-256", async () => {
    const planned = jobs();
    const expected = await renderDocumentJobs(planned, { threads: 1 });
    const out = await mkdtemp(join(tmpdir(), "render-pool-"));
    try {
      for (const threads of [1, 2]) {
        const staging = await createStagingFolder(out, "2020-W41", `threads${threads}`);
        const staged = await renderDocumentJobs(planned, { threads, staging });
        for (const [index, job] of planned.entries()) {
          const bytes = Buffer.from(expected[index] ?? []);
          const onDisk = await readFile(join(staging.dir, ...job.path.split("/")));
          expect(onDisk.equals(bytes), job.path).toBe(true);
          expect(staged[index]).toEqual({
            sha256: createHash("sha256").update(bytes).digest("hex"),
            bytes: bytes.byteLength,
          });
        }
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("a document that cannot be written keeps its errno code, on a thread as in this one", async () => {
    const out = await mkdtemp(join(tmpdir(), "render-pool-"));
    try {
      for (const threads of [1, 2]) {
        const staging = await createStagingFolder(out, "2020-W41", `threads${threads}`);
        // A file where the documents' folder belongs: writing into it fails with ENOTDIR.
        await writeFile(join(staging.dir, "municipalities"), "");
        const failed = await renderDocumentJobs(jobs(), { threads, staging }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(String(failed)).toContain("rendering municipalities/492/");
        expect(failed).toMatchObject({ code: "ENOTDIR" });
        expect(classifyStorageFault(failed)).toBe("io");
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

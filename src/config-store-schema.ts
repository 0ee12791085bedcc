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

import type ExcelJS from "exceljs";
import { crc32, deflateRawSync } from "node:zlib";
import { Zip, ZipPassThrough } from "fflate";
import { appendRowModels, type RowModel } from "./xlsx-rows.ts";

/** What exceljs's writer hands its zip: text or bytes under an entry name. */
type ZipSink = {
  append(data: string | Uint8Array, options: { name: string; base64?: boolean }): void;
};

/** The steps of exceljs 4's `XLSX.write`, each adding its parts to a zip sink (not in its typings). */
type XlsxWriterSteps = {
  prepareModel(model: unknown, options: object): void;
  addContentTypes(zip: ZipSink, model: unknown): Promise<void>;
  addOfficeRels(zip: ZipSink, model: unknown): Promise<void>;
  addWorkbookRels(zip: ZipSink, model: unknown): Promise<void>;
  addWorksheets(zip: ZipSink, model: unknown): Promise<void>;
  addSharedStrings(zip: ZipSink, model: unknown): Promise<void>;
  addDrawings(zip: ZipSink, model: unknown): void;
  addTables(zip: ZipSink, model: unknown): void;
  addThemes(zip: ZipSink, model: unknown): Promise<void>;
  addStyles(zip: ZipSink, model: unknown): Promise<void>;
  addMedia(zip: ZipSink, model: unknown): Promise<void>;
  addApp(zip: ZipSink, model: unknown): Promise<void>;
  addCore(zip: ZipSink, model: unknown): Promise<void>;
  addWorkbook(zip: ZipSink, model: unknown): Promise<void>;
};

const STEPS = [
  "prepareModel",
  "addContentTypes",
  "addOfficeRels",
  "addWorkbookRels",
  "addWorksheets",
  "addSharedStrings",
  "addDrawings",
  "addTables",
  "addThemes",
  "addStyles",
  "addMedia",
  "addApp",
  "addCore",
  "addWorkbook",
] as const;

/**
 * The zip time of every entry: the UTC wall-clock time of `createdAt`. Zip (DOS) times have no
 * zone and fflate reads them from local-time fields, so a Date whose local fields carry the UTC
 * values gives the same bytes on every machine whatever its time zone.
 */
function zipTime(createdAt: Date): Date {
  return new Date(
    createdAt.getUTCFullYear(),
    createdAt.getUTCMonth(),
    createdAt.getUTCDate(),
    createdAt.getUTCHours(),
    createdAt.getUTCMinutes(),
    createdAt.getUTCSeconds(),
  );
}

/** Deflate level of the workbook parts (zlib's default). */
const LEVEL = 6;

/**
 * A zip entry deflated by Node's zlib: fflate's documented way to bring another compressor
 * (extend ZipPassThrough, override `process`); zlib deflates several times faster than fflate's
 * JavaScript deflate. The CRC of the uncompressed part comes from zlib too (`push`): fflate's
 * byte-by-byte JavaScript CRC cost as much as a fifth of the deflate itself.
 */
class ZlibZipEntry extends ZipPassThrough {
  private runningCrc = 0;

  constructor(filename: string, mtime: Date) {
    super(filename);
    this.compression = 8;
    this.mtime = mtime;
  }

  override push(chunk: Uint8Array, final = false): void {
    this.runningCrc = crc32(chunk, this.runningCrc);
    this.size += chunk.length;
    if (final) this.crc = this.runningCrc;
    this.process(chunk as Uint8Array<ArrayBuffer>, final);
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    super.process(deflateRawSync(chunk, { level: LEVEL }), final);
  }
}

/** The zip archive of `entries` in their order, every entry stamped `mtime`. */
function zipEntries(entries: ReadonlyMap<string, Uint8Array>, mtime: Date): Uint8Array {
  const chunks: Uint8Array[] = [];
  const failures: Error[] = [];
  const zip = new Zip((error, chunk) => {
    if (error !== null) failures.push(error);
    else chunks.push(chunk);
  });
  for (const [name, data] of entries) {
    const entry = new ZlibZipEntry(name, mtime);
    zip.add(entry);
    entry.push(data, true);
  }
  zip.end();
  const [failure] = failures;
  if (failure !== undefined) throw failure;
  return Buffer.concat(chunks);
}

function writerSteps(workbook: ExcelJS.Workbook): XlsxWriterSteps {
  const writer = workbook.xlsx as unknown as Partial<Record<(typeof STEPS)[number], unknown>>;
  const missing = STEPS.filter((step) => typeof writer[step] !== "function");
  if (missing.length > 0) {
    throw new Error(`xlsx: exceljs no longer has ${missing.join(", ")}; expected the exceljs 4 writer`);
  }
  return writer as unknown as XlsxWriterSteps;
}

/**
 * The workbook as `.xlsx` bytes, every zip entry stamped `createdAt`. exceljs's
 * own `writeBuffer` zips through JSZip, which stamps each entry with the clock, so re-runs would
 * differ; re-zipping its output afterwards costs an extra inflate and deflate of every part. This
 * runs the same steps as exceljs 4's `XLSX.write` (same parts, same order: `[Content_Types].xml`
 * first) into an in-memory sink, then zips once with fixed times. `rows` (by worksheet id) are
 * added to the sheets' own rows as row models (xlsx-rows.ts).
 */
export async function writeXlsx(
  workbook: ExcelJS.Workbook,
  createdAt: Date,
  rows: ReadonlyMap<number, readonly RowModel[]> = new Map(),
): Promise<Uint8Array> {
  const steps = writerSteps(workbook);
  const entries = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  const sink: ZipSink = {
    append(data, options) {
      entries.set(
        options.name,
        typeof data !== "string"
          ? data
          : options.base64 === true
            ? Buffer.from(data, "base64")
            : encoder.encode(data),
      );
    },
  };
  const { model } = workbook;
  appendRowModels(model, rows);
  steps.prepareModel(model, {});
  await steps.addContentTypes(sink, model);
  await steps.addOfficeRels(sink, model);
  await steps.addWorkbookRels(sink, model);
  await steps.addWorksheets(sink, model);
  await steps.addSharedStrings(sink, model);
  steps.addDrawings(sink, model);
  steps.addTables(sink, model);
  await steps.addThemes(sink, model);
  await steps.addStyles(sink, model);
  await steps.addMedia(sink, model);
  await steps.addApp(sink, model);
  await steps.addCore(sink, model);
  await steps.addWorkbook(sink, model);
  return zipEntries(entries, zipTime(createdAt));
}

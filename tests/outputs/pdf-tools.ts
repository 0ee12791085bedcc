// Poppler's command-line tools read the PDFs the way a viewer does (installed by the test setup).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `fn` with `bytes` written to a temporary PDF file, then removes it. */
export function withPdfFile<T>(bytes: Uint8Array, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "testrota-pdf-"));
  try {
    const path = join(dir, "document.pdf");
    writeFileSync(path, bytes);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of `path` (one page, or all), laid out as on the page. */
export function pdfText(path: string, page?: number): string {
  const range = page === undefined ? [] : ["-f", String(page), "-l", String(page)];
  return execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", ...range, path, "-"], { encoding: "utf8" });
}

/** `pdfinfo`'s fields (Pages, Page size, Title, CreationDate …). */
export function pdfInfo(path: string): Map<string, string> {
  const out = execFileSync("pdfinfo", ["-isodates", path], { encoding: "utf8" });
  return new Map(
    out
      .split("\n")
      .filter((line) => line.includes(":"))
      .map((line) => {
        const at = line.indexOf(":");
        return [line.slice(0, at).trim(), line.slice(at + 1).trim()] as [string, string];
      }),
  );
}

/** `pdffonts`'s table rows (name, type, encoding, embedded, subset, unicode). */
export function pdfFonts(path: string): string[][] {
  const out = execFileSync("pdffonts", [path], { encoding: "utf8" });
  return out
    .split("\n")
    .slice(2)
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(/\s+/));
}

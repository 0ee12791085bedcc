import { readFileSync } from "node:fs";
import PDFDocument from "pdfkit";

/** A font source pdfkit takes: the TTF bytes, or the font pdfkit parsed from them. */
export type SheetFont = Uint8Array | { readonly layout: (...args: never[]) => unknown };

/** The font embedded in the site sheets: DejaVu Sans, which covers æøå (`assets/fonts/`). */
export const SHEET_FONT_FILE = "DejaVuSans.ttf";

type ParsedFont = { layout?: unknown; _tables?: Record<string, unknown> };

let cached: SheetFont | undefined;

/** The TTF bytes of the bundled font (with its licence beside it), never a system font. */
export function readSheetFontFile(): Uint8Array {
  return readFileSync(new URL(`../../assets/fonts/${SHEET_FONT_FILE}`, import.meta.url));
}

/**
 * The font parsed once for every sheet of the process:
 * - pdfkit parses a TTF given as bytes again for every document (about 50 ms for DejaVu Sans, with
 *   over a thousand site sheets per run); it also takes a font it parsed before, at no cost. The
 *   font is parsed through a throwaway document. Each sheet still embeds its own subset, made
 *   from its own text only, so sharing the parsed font keeps every sheet's bytes the same.
 * - Danish and English text on a form needs no OpenType shaping (no ligatures, no contextual
 *   forms), which took a third of a sheet's time: the parsed font's GSUB and GPOS tables are
 *   marked absent before first use, so fontkit maps characters to glyphs directly and kerns from
 *   the font's `kern` table.
 * Another pdfkit or fontkit version may keep these elsewhere: then the bytes are used as they are
 * (correct, only slower).
 */
function parseOnce(bytes: Uint8Array): SheetFont {
  const probe = new PDFDocument({ autoFirstPage: false, font: "" });
  probe.font(Buffer.from(bytes));
  const parsed = (probe as unknown as { _font?: { font?: ParsedFont } })._font?.font;
  if (parsed === undefined || typeof parsed.layout !== "function") return bytes;
  if (parsed._tables !== undefined && typeof parsed._tables === "object") {
    parsed._tables.GSUB = null;
    parsed._tables.GPOS = null;
  }
  return parsed as SheetFont;
}

/** The site sheet font, read and parsed once per process (on first use, not on import). */
export function loadSheetFont(): SheetFont {
  cached ??= parseOnce(readSheetFontFile());
  return cached;
}

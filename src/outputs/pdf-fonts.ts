import { readFileSync } from "node:fs";
import PDFDocument from "pdfkit";

/** A font source pdfkit takes: the TTF bytes, or the font pdfkit parsed from them. */
export type SheetFont = Uint8Array | { readonly layout: (...args: never[]) => unknown };

/** The font embedded in the site sheets: DejaVu Sans, which covers æøå (`assets/fonts/`). */
export const SHEET_FONT_FILE = "DejaVuSans.ttf";

type ParsedFont = {
  layout?: unknown;
  _tables?: Record<string, unknown>;
  _variationProcessor?: unknown;
  createSubset?: () => unknown;
  getGlyph?: (id: number) => FontGlyph;
  loca?: { offsets: readonly number[] };
  _getTableStream?: (tag: string) => { pos: number; readBuffer(length: number): Uint8Array };
};

type FontGlyph = {
  readonly advanceWidth: number;
  _decode(): { numberOfContours: number; components?: { glyphID: number; pos: number }[] } | null;
  _getMetrics(): { leftBearing: number };
};

/** What fontkit's TrueType subset builds its tables from, one glyph at a time. */
type TrueTypeSubset = {
  glyf: Uint8Array[];
  loca: { offsets: number[] };
  hmtx: { metrics: { advance: number; bearing: number }[] };
  offset: number;
  includeGlyph(id: number): number;
  _addGlyph?: (id: number) => number;
};

/** One glyph as a subset copies it: its bytes in `glyf`, its components, its metrics. */
type GlyphEntry = {
  readonly bytes: Uint8Array;
  readonly components: readonly { readonly glyphID: number; readonly pos: number }[] | null;
  readonly advance: number;
  readonly bearing: number;
};

let cached: SheetFont | undefined;

/** The TTF bytes of the bundled font (with its licence beside it), never a system font. */
export function readSheetFontFile(): Uint8Array {
  return readFileSync(new URL(`../../assets/fonts/${SHEET_FONT_FILE}`, import.meta.url));
}

/**
 * fontkit's TrueType subset decodes every glyph it copies from the font again for each document
 * (a third of embedding a sheet's font): with the font parsed once, each glyph's bytes,
 * components and metrics are read once per process and copied the way fontkit 2's
 * `TTFSubset._addGlyph` copies them (a composite glyph's component ids renumbered in a copy), so
 * the subset's bytes are unchanged. Fonts with variations keep fontkit's own path.
 */
function cacheSubsetGlyphs(parsed: ParsedFont): void {
  const { createSubset, getGlyph, loca, _getTableStream } = parsed;
  if (
    typeof createSubset !== "function" ||
    typeof getGlyph !== "function" ||
    loca === undefined ||
    typeof _getTableStream !== "function" ||
    parsed._variationProcessor
  ) {
    return;
  }
  const entries = new Map<number, GlyphEntry>();
  const entryOf = (id: number): GlyphEntry => {
    let entry = entries.get(id);
    if (entry === undefined) {
      const glyph = getGlyph.call(parsed, id);
      const decoded = glyph._decode();
      const start = loca.offsets[id] ?? 0;
      const stream = _getTableStream.call(parsed, "glyf");
      stream.pos += start;
      entry = {
        bytes: new Uint8Array(stream.readBuffer((loca.offsets[id + 1] ?? start) - start)),
        components:
          decoded !== null && decoded.numberOfContours < 0
            ? (decoded.components ?? []).map((c) => ({ glyphID: c.glyphID, pos: c.pos }))
            : null,
        advance: glyph.advanceWidth,
        bearing: glyph._getMetrics().leftBearing,
      };
      entries.set(id, entry);
    }
    return entry;
  };
  parsed.createSubset = function createCachedSubset(this: ParsedFont) {
    const subset = createSubset.call(this) as TrueTypeSubset;
    if (typeof subset._addGlyph !== "function") return subset;
    subset._addGlyph = function addCachedGlyph(this: TrueTypeSubset, id: number): number {
      const entry = entryOf(id);
      let bytes = entry.bytes;
      if (entry.components !== null) {
        bytes = new Uint8Array(entry.bytes);
        const view = new DataView(bytes.buffer);
        for (const component of entry.components) {
          view.setUint16(component.pos, this.includeGlyph(component.glyphID));
        }
      }
      this.glyf.push(bytes);
      this.loca.offsets.push(this.offset);
      this.hmtx.metrics.push({ advance: entry.advance, bearing: entry.bearing });
      this.offset += bytes.length;
      return this.glyf.length - 1;
    };
    return subset;
  };
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
  cacheSubsetGlyphs(parsed);
  return parsed as SheetFont;
}

/** The site sheet font, read and parsed once per process (on first use, not on import). */
export function loadSheetFont(): SheetFont {
  cached ??= parseOnce(readSheetFontFile());
  return cached;
}

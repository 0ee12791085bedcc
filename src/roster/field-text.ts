/**
 * Checks on the text of input fields and the rules for mentioning a value in a message.
 *
 * Privacy rule: a message quotes at most {@link MAX_QUOTED_CHARACTERS} characters, and never a
 * value that may be staff data. In a roster file every column may hold a name (an export whose
 * header does not match its rows puts names under `site_id`), so roster values are described
 * ("a value of 12 characters"), never quoted.
 */

/** Longest id (employee id, site id) accepted. */
export const MAX_ID_LENGTH = 64;
/** Longest name or address accepted. */
export const MAX_TEXT_LENGTH = 200;
/** Longest part of a value an error message quotes. */
export const MAX_QUOTED_CHARACTERS = 40;

/**
 * Characters no field may hold: C0 controls except tab (NUL, line breaks, escape), DEL, C1
 * controls, the Unicode line and paragraph separators, the bidirectional embeddings, overrides and
 * isolates (they make text display in another order than it is stored, "Trojan source"), and
 * U+FFFD (a character already lost in an earlier conversion).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFD]/;

/** Invisible characters that would make two ids look equal while differing (refused in ids only). */
const INVISIBLE = /[\u00A0\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/;

function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code === 0) return "a NUL byte";
  if (code === 0x0a || code === 0x0d) return "a line break";
  if (code < 0x20 || code === 0x7f) return `a control character ${codePoint(character)}`;
  if (code <= 0x9f) return `a C1 control character ${codePoint(character)}`;
  if (code === 0x2028 || code === 0x2029) return `a Unicode line separator ${codePoint(character)}`;
  if (code === 0xfffd)
    return "a replacement character U+FFFD (characters were lost in an earlier conversion)";
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return `a bidirectional-text control ${codePoint(character)} (it can disguise text)`;
  }
  return `an invisible character ${codePoint(character)}`;
}

export type TextRule = {
  readonly maxLength: number;
  /** Ids also refuse invisible characters (no-break and zero-width spaces, soft hyphens). */
  readonly id?: boolean;
};

/**
 * The problem with a field's text, or undefined when it is fine: a forbidden character (with its
 * position) or more than `maxLength` characters. The value itself is never part of the message.
 */
export function checkFieldText(value: string, rule: TextRule): string | undefined {
  const forbidden = FORBIDDEN.exec(value) ?? (rule.id === true ? INVISIBLE.exec(value) : null);
  if (forbidden !== null) {
    return `expected text without control characters, found ${describeCharacter(forbidden[0])} at character ${forbidden.index + 1}`;
  }
  // UTF-16 length first: counting code points allocates, and almost every value is short.
  if (value.length <= rule.maxLength) return undefined;
  const length = [...value].length;
  return length > rule.maxLength
    ? `expected at most ${rule.maxLength} characters, found ${length}`
    : undefined;
}

const ESCAPED = new RegExp(`${FORBIDDEN.source}|${INVISIBLE.source}|["\\\\]`, "g");

/**
 * A value as a message may quote it: at most {@link MAX_QUOTED_CHARACTERS} characters in double
 * quotes, control and invisible characters written as `\u…`, with the full length when cut.
 * Only for values that cannot be staff data (reference and sites files, known site ids).
 */
export function quoteValue(value: string): string {
  const characters = [...value];
  const head = characters.slice(0, MAX_QUOTED_CHARACTERS).join("");
  const escaped = head.replace(ESCAPED, (character) =>
    character === '"' || character === "\\"
      ? `\\${character}`
      : `\\u${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
  return characters.length > MAX_QUOTED_CHARACTERS
    ? `"${escaped}…" (${characters.length} characters)`
    : `"${escaped}"`;
}

/**
 * A value described without its content, for values that may be staff data: its length, and for
 * short values of digits and punctuation only (dates, mostly) their shape with every digit as 9.
 */
export function describeValue(value: string): string {
  if (value === "") return "an empty value";
  const length = [...value].length;
  const noun = `a value of ${length} character${length === 1 ? "" : "s"}`;
  if (length <= 20 && /^[\d.\-/: ]+$/.test(value) && /\d/.test(value)) {
    return `${noun} shaped ${value.replace(/\d/g, "9")}`;
  }
  return noun;
}

/**
 * True for values shaped like a code rather than a name: at most 40 letters, digits and `._/-`
 * with a digit among them (`S0101-NH01`, `101`), or lower-case letters and hyphens only
 * (`hospital`). Names and addresses (capitals, spaces) never are, so a mislaid column of them is
 * described, not quoted.
 */
export function isCodeLike(value: string): boolean {
  return /^(?=.*\d)[A-Za-z0-9._/-]{1,40}$/.test(value) || /^[a-z][a-z-]{0,39}$/.test(value);
}

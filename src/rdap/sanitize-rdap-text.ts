/**
 * Text from an RDAP server is untrusted: it lands in terminals, CSV files and
 * logs. Control characters (C0, DEL, C1), bidirectional overrides and
 * zero-width characters are replaced by spaces, runs of white space are
 * collapsed, and the length is capped.
 */

// C0 and C1 controls, DEL, zero-width and bidi formatting characters, BOM, line/paragraph separators.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const SPACES = /\s{2,}/g;

/** Default cap on one text field, in UTF-16 code units. */
export const DEFAULT_MAX_FIELD_LENGTH = 256;

/**
 * Makes server text safe to print.
 * @param value anything; non-strings give null.
 * @param maxLength cap in UTF-16 code units (a split surrogate pair is dropped).
 * @returns the cleaned text, or null when nothing printable is left.
 */
export function sanitizeRdapText(
  value: unknown,
  maxLength = DEFAULT_MAX_FIELD_LENGTH,
): string | null {
  if (typeof value !== 'string') return null;
  let s = value.replace(UNSAFE, ' ').replace(SPACES, ' ').trim();
  if (s.length > maxLength) {
    s = s.slice(0, maxLength);
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) s = s.slice(0, -1);
    s = s.trimEnd();
  }
  return s === '' ? null : s;
}

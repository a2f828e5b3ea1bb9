/**
 * Byte-exact text handling. Formats that copy their input (CSV, TSV, Zeek,
 * JSON lines, inline-annotated logs) read it as "binary" strings: latin1, one
 * char per byte, so any byte sequence, valid UTF-8 or not, round-trips. Text
 * that rirmap adds (RDAP names, column names given by the user) is turned into
 * the same form: its UTF-8 bytes, one char each.
 */

const ASCII = /^[\x00-\x7f]*$/;
const HIGH = /[\x80-\xff]/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** UTF-16 text → its UTF-8 bytes as a binary string. ASCII comes back as is. */
export function utf8AsBinary(text: string): string {
  if (ASCII.test(text)) return text;
  const bytes = encoder.encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096)
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return out;
}

/** A binary string holding UTF-8 bytes → UTF-16 text (invalid bytes become U+FFFD). */
export function binaryAsUtf8(binary: string): string {
  if (!HIGH.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return decoder.decode(bytes);
}

/** True when a binary string has bytes of 0x80 and up. */
export function hasHighBytes(binary: string): boolean {
  return HIGH.test(binary);
}

/** The UTF-8 byte order mark as a binary string. */
export const BINARY_BOM = '\xef\xbb\xbf';

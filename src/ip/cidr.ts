/**
 * CIDR text (`1.0.16.0/20`, `2001:db8::/32`). The only importer of ip-cidr:
 * CIDR queries are rare and off the hot path, so the library's validation and
 * normalisation are used as they are.
 */

import IPCIDR from 'ip-cidr';
import { formatIpv6 } from './format-ip.js';
import { parseIpv4, parseIpv6 } from './parse-ip.js';

/** A parsed CIDR block; host bits of the text are masked off. */
export interface ParsedCidr {
  readonly family: 4 | 6;
  /** First and last address, canonical text. */
  readonly start: string;
  readonly end: string;
  readonly prefixLength: number;
}

function canonical(text: string): string | null {
  if (parseIpv4(text) >= 0) return text.replace(/\b0+(\d)/g, '$1');
  const w = new Uint32Array(4);
  return parseIpv6(text, w) ? formatIpv6(w) : null;
}

/**
 * Parses CIDR text.
 * @returns the block, or null when the text is not a valid CIDR block.
 */
export function parseCidr(text: string): ParsedCidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0 || !IPCIDR.isValidCIDR(t)) return null;
  const len = Number(t.slice(slash + 1));
  const cidr = new IPCIDR(t);
  const start = canonical(String(cidr.start()));
  const end = canonical(String(cidr.end()));
  if (start === null || end === null || !Number.isInteger(len)) return null;
  return { family: start.includes(':') ? 6 : 4, start, end, prefixLength: len };
}

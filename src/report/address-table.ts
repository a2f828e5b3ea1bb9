/**
 * The distinct addresses of a report, with their hits and first/last times:
 * one open-addressing hash table keyed by (address, group), where an address
 * is four 32-bit words (IPv4 as its IPv4-mapped IPv6 form) and a group is a
 * small integer (a block, a special-purpose name, the unallocated section).
 *
 * Layout is chosen for the cache: a slot is eight float64s, key and counts
 * together (`w0 w1 w2 w3 group hits first last`), 64 bytes, so counting a hit
 * reads one cache line and allocates nothing. The table is kept at most half
 * full (about 128 bytes per address) and never holds more than `max` entries.
 */

import { formatIpv4, formatIpv6 } from '../ip/format-ip.js';
import { parseIpv4, parseIpv6 } from '../ip/parse-ip.js';

const SCRATCH = new Uint32Array(4);
const WORD2_V4 = 0xffff;
/** Float64s per slot. */
const STRIDE = 8;
/** Key word of text entries (no 32-bit word has this value). */
const TEXT_WORD = 2 ** 32;

/** Address words of `s[from..to)` into `out`; false when the text is not an address. */
export function addressWords(
  s: string,
  from: number,
  to: number,
  out: Uint32Array,
): boolean {
  const v4 = parseIpv4(s, from, to);
  if (v4 >= 0) {
    out[0] = 0;
    out[1] = 0;
    out[2] = WORD2_V4;
    out[3] = v4;
    return true;
  }
  return parseIpv6(s, out, from, to);
}

/** Text of address words: a dotted quad for IPv4 (and IPv4-mapped), else RFC 5952. */
export function wordsText(
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): string {
  if (w0 === 0 && w1 === 0 && w2 === WORD2_V4) return formatIpv4(w3);
  SCRATCH[0] = w0;
  SCRATCH[1] = w1;
  SCRATCH[2] = w2;
  SCRATCH[3] = w3;
  return formatIpv6(SCRATCH);
}

function hash(
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  g: number,
): number {
  let h = Math.imul(w3 ^ 0x9e3779b9, 0x85ebca6b);
  h ^=
    Math.imul(w2, 0xc2b2ae35) ^
    Math.imul(w1, 0x27d4eb2f) ^
    Math.imul(w0, 0x165667b1) ^
    Math.imul(g, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h;
}

/** Distinct (address, group) entries with hits and first/last time. */
export class AddressTable {
  readonly max: number;
  /** Entries in use. */
  size = 0;
  #mask = 0;
  #slots = new Float64Array(0);
  readonly #texts: string[] = [];
  readonly #textIds = new Map<string, number>();

  constructor(max: number) {
    this.max = max;
    this.#resize(64);
  }

  #resize(count: number): void {
    const old = this.#slots;
    this.#slots = new Float64Array(count * STRIDE);
    this.#mask = count - 1;
    for (let b = 0; b < old.length; b += STRIDE) {
      if (old[b + 5] === 0) continue;
      const i = this.#free(
        old[b]!,
        old[b + 1]!,
        old[b + 2]!,
        old[b + 3]!,
        old[b + 4]!,
      );
      this.#slots.set(old.subarray(b, b + STRIDE), i * STRIDE);
    }
  }

  #free(w0: number, w1: number, w2: number, w3: number, g: number): number {
    const slots = this.#slots;
    let i = hash(w0, w1, w2, w3, g) & this.#mask;
    while (slots[i * STRIDE + 5] !== 0) i = (i + 1) & this.#mask;
    return i;
  }

  /**
   * Counts a hit of (address words, group) at `time` (ms, or NaN).
   * @returns 1 for an address new to the group, 0 for one seen before, -1 when
   * it is new but `add` is false or the table is full (not counted).
   */
  hit(
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    g: number,
    time: number,
    add: boolean,
  ): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = hash(w0, w1, w2, w3, g) & mask;
    for (;;) {
      const b = i * STRIDE;
      const hits = slots[b + 5]!;
      if (hits === 0) break;
      if (
        slots[b + 3] === w3 &&
        slots[b + 4] === g &&
        slots[b + 2] === w2 &&
        slots[b + 1] === w1 &&
        slots[b] === w0
      ) {
        slots[b + 5] = hits + 1;
        if (time === time) {
          if (time < slots[b + 6]!) slots[b + 6] = time;
          if (time > slots[b + 7]!) slots[b + 7] = time;
        }
        return 0;
      }
      i = (i + 1) & mask;
    }
    if (!add || this.size >= this.max) return -1;
    this.size++;
    if (this.size * 2 > mask + 1) {
      this.#resize((mask + 1) * 2);
      i = this.#free(w0, w1, w2, w3, g);
    }
    const b = i * STRIDE;
    const s = this.#slots;
    s[b] = w0;
    s[b + 1] = w1;
    s[b + 2] = w2;
    s[b + 3] = w3;
    s[b + 4] = g;
    s[b + 5] = 1;
    s[b + 6] = time === time ? time : Infinity;
    s[b + 7] = time === time ? time : -Infinity;
    return 1;
  }

  /** As {@link hit}, for a value that is not an address (enriched files only). */
  hitText(text: string, g: number, time: number, add: boolean): number {
    let id = this.#textIds.get(text);
    if (id === undefined) {
      if (!add) return -1;
      id = this.#texts.length;
      this.#texts.push(text);
      this.#textIds.set(text, id);
    }
    return this.hit(TEXT_WORD, TEXT_WORD, TEXT_WORD, id, g, time, add);
  }

  /** Slot numbers of the entries, grouped: group → slots. */
  byGroup(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const s = this.#slots;
    for (let b = 0; b < s.length; b += STRIDE) {
      if (s[b + 5] === 0) continue;
      const g = s[b + 4]!;
      let list = out.get(g);
      if (list === undefined) {
        list = [];
        out.set(g, list);
      }
      list.push(b / STRIDE);
    }
    return out;
  }

  /** Hits of an entry (a slot number from {@link byGroup}). */
  hits(slot: number): number {
    return this.#slots[slot * STRIDE + 5]!;
  }

  /** First time of an entry (ms), or Infinity. */
  first(slot: number): number {
    return this.#slots[slot * STRIDE + 6]!;
  }

  /** Last time of an entry (ms), or -Infinity. */
  last(slot: number): number {
    return this.#slots[slot * STRIDE + 7]!;
  }

  /** The address text of an entry. */
  text(slot: number): string {
    const s = this.#slots;
    const b = slot * STRIDE;
    if (s[b] === TEXT_WORD) return this.#texts[s[b + 3]!]!;
    return wordsText(s[b]!, s[b + 1]!, s[b + 2]!, s[b + 3]!);
  }

  /** Orders entries: most hits first, then by address (IPv4 before IPv6, numerically; texts last). */
  compare(x: number, y: number): number {
    const s = this.#slots;
    const a = x * STRIDE;
    const b = y * STRIDE;
    const d = s[b + 5]! - s[a + 5]!;
    if (d !== 0) return d;
    const v4a = s[a] === 0 && s[a + 1] === 0 && s[a + 2] === WORD2_V4;
    const v4b = s[b] === 0 && s[b + 1] === 0 && s[b + 2] === WORD2_V4;
    if (v4a !== v4b) return v4a ? -1 : 1;
    if (s[a] === TEXT_WORD && s[b] === TEXT_WORD) {
      const ta = this.text(x);
      const tb = this.text(y);
      return ta < tb ? -1 : ta > tb ? 1 : 0;
    }
    for (let i = 0; i < 4; i++)
      if (s[a + i] !== s[b + i]) return s[a + i]! - s[b + i]!;
    return 0;
  }
}

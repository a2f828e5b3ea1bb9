/**
 * Free-text logs, one row per line. Every address in a line is found (see
 * extract-addresses.ts) and looked up. Two outputs:
 *
 * - `jsonl` (default): one JSON object per input line,
 *   `{"line":"…","ips":[{"ip":"1.2.3.4","offset":17,"rir":"apnic",…}]}`; the
 *   line without its line break, `offset` its index in the line (UTF-16 code
 *   units), registry fields `null` when empty, `"rdap"` an object (or null).
 * - `inline`: the input bytes with ` [rir=apnic cc=JP date=…]` after each
 *   address; `[not-found]` and `[special]` (`[special=private]` when the
 *   `special` field is selected) when there is nothing else to say.
 *
 * The jsonl form is the hot path of log enrichment. Without RDAP it is
 * written as bytes (JsonlBytes: one scan of each line's bytes, the output
 * copied and cached as bytes, no string per line), on the calling thread from
 * the segment's bytes (`processBytes`) and on workers from its text, encoded
 * back (`process`): the same code, so the same bytes. Lines it does not take
 * (not ASCII, a great many addresses) and runs with RDAP go through the text
 * form (`jsonlSegment`).
 */

import {
  AddressEnricher,
  CACHE_MISS,
  RenderCache,
  type FieldStyle,
  type OutcomeKind,
} from '../enrich/address-enricher.js';
import { INLINE_KEYS, type RegistryField } from '../enrich/enrich-fields.js';
import { C_ROWS, createCounters } from '../enrich/enrich-summary.js';
import {
  LINE_FULL,
  LINE_HIGH,
  MATCH_DEFANGED,
  MATCH_V6_CANDIDATE,
  ScanState,
  isIpv6At,
  refang,
  scanAddresses,
  scanLineBytes,
} from '../enrich/extract-addresses.js';
import type { RdapField } from '../rdap/rdap-types.js';
import { SPECIAL } from '../types.js';
import {
  OutputPieces,
  type LogPlan,
  type SegmentProcessor,
  type SegmentResult,
} from './format-plan.js';
import { utf8AsBinary } from './text-encoding.js';
import type {
  BytesSegmentProcessor,
  SegmentBytesResult,
} from '../enrich/segment-processor.js';

function jsonValue(v: string): string {
  return v === '' ? 'null' : JSON.stringify(v);
}

/** The members an address entry of the jsonl form gets (after `"ip"` and `"offset"`). */
export function logJsonStyle(
  registryFields: readonly RegistryField[],
  rdapFields: readonly RdapField[],
): FieldStyle {
  return {
    head: (values) =>
      registryFields.map((f, i) => `,"${f}":${jsonValue(values[i]!)}`).join(''),
    rdap: (values) =>
      values === null
        ? ',"rdap":null'
        : `,"rdap":{${rdapFields.map((f, i) => `"${f}":${jsonValue(values[i]!)}`).join(',')}}`,
    tail: () => '',
  };
}

function inlineValue(v: string): string {
  return /[\s\]"=[]/.test(v) ? JSON.stringify(v) : v;
}

/** The ` [k=v …]` annotation of the inline form (binary strings). */
export function logInlineStyle(
  registryFields: readonly RegistryField[],
  rdapFields: readonly RdapField[],
): FieldStyle {
  return {
    head: (values, kind: OutcomeKind) => {
      const parts: string[] = [];
      registryFields.forEach((f, i) => {
        const v = values[i]!;
        if (v !== '') parts.push(`${INLINE_KEYS[f]}=${inlineValue(v)}`);
      });
      if (parts.length === 0) parts.push(kind);
      return ` [${parts.join(' ')}`;
    },
    rdap: (values) => {
      if (values === null) return '';
      let out = '';
      rdapFields.forEach((f, i) => {
        const v = values[i]!;
        if (v !== '') out += ` rdap.${f}=${utf8AsBinary(inlineValue(v))}`;
      });
      return out;
    },
    tail: () => ']',
  };
}

/** A log plan. */
export function planLog(o: {
  annotate: LogPlan['annotate'];
  fields: LogPlan['fields'];
  rdapNeed: LogPlan['rdapNeed'];
  strict: boolean;
  collectIssues: boolean;
}): LogPlan {
  return {
    format: 'log',
    annotate: o.annotate,
    fields: o.fields,
    rdapNeed: o.rdapNeed,
    strict: o.strict,
    collectIssues: o.collectIssues,
    labels: [],
  };
}

const MATCHES = 4096;

/** `String(n)` for the offsets most lines have. */
const OFFSETS: readonly string[] = Array.from({ length: 1024 }, (_, i) =>
  String(i),
);

function offsetText(n: number): string {
  return n < 1024 ? OFFSETS[n]! : String(n);
}

/**
 * Bytes, as little-endian 32-bit words (the last one padded): the jsonl
 * writer copies them a word at a time through a DataView, which V8 compiles
 * to plain unaligned stores. Writing a whole last word may overshoot the
 * bytes by up to 3: those are overwritten by what comes next (the output
 * always has room for them).
 */
interface Words {
  readonly w: Uint32Array;
  /** Number of bytes. */
  readonly n: number;
}

function wordsOf(bytes: Uint8Array): Words {
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  return { w: new Uint32Array(padded.buffer), n: bytes.length };
}

function asciiWords(text: string): Words {
  return wordsOf(Uint8Array.from(text, (c) => c.charCodeAt(0)));
}

/**
 * A work buffer: a segment's bytes at [1, 1 + length) between two `\n`
 * (see scanLineBytes), then its output from `outStart`. One buffer for both,
 * so copying a line into the output is a native copyWithin.
 */
interface Block {
  readonly mem: Uint8Array;
  readonly view: DataView;
  /** A Buffer over the same memory, for text encoding and decoding. */
  readonly buf: Buffer;
}

function newBlock(size: number): Block {
  const ab = new ArrayBuffer(size);
  return {
    mem: new Uint8Array(ab),
    view: new DataView(ab),
    buf: Buffer.from(ab, 0, size),
  };
}

/** The output of one segment by {@link JsonlBytes.run}. */
interface BytesRun {
  readonly block: Block;
  readonly outStart: number;
  readonly outEnd: number;
  readonly lines: number;
  readonly rows: number;
}

/**
 * The jsonl form of ASCII log lines, written as bytes: the line is scanned
 * once over its bytes (scanLineBytes finds its end, its addresses and the
 * chars to escape), then its object is written straight into the output
 * bytes: the line text by copyWithin (pieces between escapes), each
 * address's registry fields as bytes cached per record id (the fields of one
 * id and field selection are always the same bytes), the fixed parts a word
 * at a time. No string is built per line; an address becomes text only when
 * a lookup needs it: an IPv4 address not in the enricher's cache (the scanner
 * hands over its value), IPv6, a special-purpose name. A line that is not
 * ASCII, or has more than LINE_QUADS addresses, goes through the string form
 * (`slowLine`), so its text and UTF-16 offsets are those of the decoded line.
 */
function createJsonlBytes() {
  // Closure copies of what the hot loop reads (see createLineScanner).
  const K_scanLineBytes = scanLineBytes;
  const K_LINE_HIGH = LINE_HIGH;
  const K_LINE_FULL = LINE_FULL;
  const K_MATCH_V6_CANDIDATE = MATCH_V6_CANDIDATE;
  const K_MATCH_DEFANGED = MATCH_DEFANGED;
  const K_CACHE_MISS = CACHE_MISS;
  const K_SPECIAL = SPECIAL;
  const K_isIpv6At = isIpv6At;
  const K_refang = refang;

  const LINE_OPEN = asciiWords('{"line":"');
  const LINE_NO_IPS = asciiWords('","ips":[]}\n');
  const LINE_FIRST_IP = asciiWords('","ips":[{"ip":"');
  const IP_NEXT = asciiWords('},{"ip":"');
  const IP_OFFSET = asciiWords('","offset":');
  const LINE_CLOSE = asciiWords('}]}\n');
  /** Room a write may take past its bytes. */
  const OVERSHOOT = 4;

  /** Writes `k` at `m[o]` (see Words); returns the index after its bytes. */
  function put(dv: DataView, o: number, k: Words): number {
    const w = k.w;
    for (let j = 0; j < w.length; j++) dv.setUint32(o + 4 * j, w[j]!, true);
    return o + k.n;
  }

  /**
   * Copies `m[from..to)` to `m[o]` (no overlap; reads and writes up to 3
   * bytes past the ends); returns the index after the copy.
   */
  function copy(
    m: Uint8Array,
    dv: DataView,
    o: number,
    from: number,
    to: number,
  ): number {
    const n = to - from;
    if (n > 64) m.copyWithin(o, from, to);
    else
      for (let j = 0; j < n; j += 4)
        dv.setUint32(o + j, dv.getUint32(from + j, true), true);
    return o + n;
  }

  /** How JSON.stringify writes each ASCII char: 0 as is, 1 after a `\`, 2 as `\` + letter, 3 as `\u00XX`. */
  const ESCAPE = new Uint8Array(128);
  /** The letter of the short escapes (`\b`, `\t`, `\n`, `\f`, `\r`). */
  const ESCAPE_LETTER = new Uint8Array(128);
  for (let c = 0; c < 32; c++) ESCAPE[c] = 3;
  for (const [c, letter] of [
    [8, 'b'],
    [9, 't'],
    [10, 'n'],
    [12, 'f'],
    [13, 'r'],
  ] as const) {
    ESCAPE[c] = 2;
    ESCAPE_LETTER[c] = letter.charCodeAt(0);
  }
  ESCAPE[34] = 1;
  ESCAPE[92] = 1;
  const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) =>
    c.charCodeAt(0),
  );

  /** Writes the JSON escape of the ASCII char `c` at `m[o]`; returns the index after. */
  function putEscape(m: Uint8Array, o: number, c: number): number {
    const e = ESCAPE[c]!;
    if (e === 0) {
      m[o] = c;
      return o + 1;
    }
    m[o] = 92;
    if (e === 1) {
      m[o + 1] = c;
      return o + 2;
    }
    if (e === 2) {
      m[o + 1] = ESCAPE_LETTER[c]!;
      return o + 2;
    }
    m[o + 1] = 117; // u
    m[o + 2] = 48;
    m[o + 3] = 48;
    m[o + 4] = HEX_DIGITS[c >> 4]!;
    m[o + 5] = HEX_DIGITS[c & 15]!;
    return o + 6;
  }

  /** `String(n)` for n < 1000 as one little-endian word (3 bytes used at most), and its length. */
  const DIGIT_WORDS = new Uint32Array(1000);
  const DIGIT_LENGTHS = new Uint8Array(1000);
  for (let n = 0; n < 1000; n++) {
    const t = String(n);
    DIGIT_LENGTHS[n] = t.length;
    let w = 0;
    for (let k = t.length - 1; k >= 0; k--) w = (w << 8) | t.charCodeAt(k);
    DIGIT_WORDS[n] = w >>> 0;
  }

  /** Writes the decimal digits of `x` (>= 0) at `m[o]`; returns the index after. */
  function putNumber(
    m: Uint8Array,
    dv: DataView,
    o: number,
    x: number,
  ): number {
    if (x < 1000) {
      dv.setUint32(o, DIGIT_WORDS[x]!, true);
      return o + DIGIT_LENGTHS[x]!;
    }
    let digits = 1;
    for (let y = x; y >= 10; y = (y / 10) | 0) digits++;
    for (let i = o + digits - 1; i >= o; i--) {
      m[i] = 48 + (x % 10);
      x = (x / 10) | 0;
    }
    return o + digits;
  }

  /** Quads a line's scan holds before the line takes the string path. */
  const LINE_QUADS = 1024;

  return class JsonlBytes {
    readonly #enricher: AddressEnricher;
    readonly #cache: RenderCache;
    readonly #slowLine: (line: string) => string;
    readonly #found = new Int32Array(LINE_QUADS * 4);
    readonly #line = new Int32Array(3);
    /** Where the line's chars to escape are (a line with more goes byte by byte). */
    readonly #escapes = new Int32Array(64);
    /** Per kept match of the line: start, end, then its fields in `#frags`. */
    readonly #kept = new Int32Array(LINE_QUADS * 2);
    readonly #frags: Words[] = [];
    readonly #byId: (Words | undefined)[] = [];
    readonly #byText = new Map<string, Words>();
    readonly #free: Block[] = [];
    #block: Block = newBlock(0);

    constructor(
      enricher: AddressEnricher,
      cache: RenderCache,
      slowLine: (line: string) => string,
    ) {
      this.#enricher = enricher;
      this.#cache = cache;
      this.#slowLine = slowLine;
    }

    /** Gives a block back once its output has been used. */
    release(block: Block): void {
      if (this.#free.length < 32) this.#free.push(block);
    }

    /** The field bytes of a found record (cached per id). */
    #foundWords(id: number): Words {
      let f = this.#byId[id];
      if (f === undefined) {
        f = this.#wordsOf(this.#cache.found(id));
        this.#byId[id] = f;
      }
      return f;
    }

    /** UTF-8 bytes of a field text (cached per text). */
    #wordsOf(text: string): Words {
      let f = this.#byText.get(text);
      if (f === undefined) {
        f = wordsOf(Buffer.from(text, 'utf8'));
        this.#byText.set(text, f);
      }
      return f;
    }

    /** Makes room for `need` more bytes after `at` (the current block or a larger copy). */
    #reserve(at: number, need: number): Block {
      const old = this.#block;
      if (at + need + OVERSHOOT <= old.mem.length) return old;
      const next = newBlock(Math.max(old.mem.length * 2, at + need + 4096));
      next.mem.set(old.mem.subarray(0, at));
      this.#block = next;
      return next;
    }

    /**
     * Writes the jsonl form of the segment `input` (whole lines, the last may
     * lack its `\n`; or, as text, its UTF-8 encoding) into a block.
     */
    run(input: Uint8Array | string): BytesRun {
      const length =
        typeof input === 'string'
          ? Buffer.byteLength(input, 'utf8')
          : input.length;
      const dataEnd = 1 + length;
      const outStart = (dataEnd + 8) & ~7;
      let block = this.#free.pop();
      const want = outStart + 2 * length + 4096;
      if (block === undefined || block.mem.length < want)
        block = newBlock(Math.max(want, 2 * outStart + 3 * length));
      this.#block = block;
      let m = block.mem;
      let dv = block.view;
      m[0] = 10;
      if (typeof input === 'string') block.buf.write(input, 1, length, 'utf8');
      else m.set(input, 1);
      m[dataEnd] = 10;
      m.fill(10, dataEnd + 1, outStart); // what copy() may read past a line

      const enricher = this.#enricher;
      const cache = this.#cache;
      const found = this.#found;
      const info = this.#line;
      const escapes = this.#escapes;
      const kept = this.#kept;
      const frags = this.#frags;
      let o = outStart;
      let lines = 0;
      let rows = 0;
      let pos = 1;
      while (pos < dataEnd) {
        const n = K_scanLineBytes(m, pos, found, info, escapes);
        const nl = info[0]!;
        const lineFlags = info[1]!;
        const contentEnd = nl > pos && m[nl - 1] === 13 ? nl - 1 : nl;
        if ((lineFlags & (K_LINE_HIGH | K_LINE_FULL)) !== 0) {
          const text = this.#slowLine(
            this.#block.buf.toString('utf8', pos, contentEnd),
          );
          const b = this.#reserve(o, 3 * text.length);
          m = b.mem;
          dv = b.view;
          o += b.buf.write(text, o, 'utf8');
        } else {
          // Look the addresses up first: the room needed depends on their fields.
          let need = 32 + 6 * (contentEnd - pos);
          let k = 0;
          for (let j = 0; j < n; j++) {
            const q = j << 2;
            const a = found[q]!;
            const b = found[q + 1]!;
            const flags = found[q + 2]!;
            let code: number;
            let frag: Words;
            if (flags === K_MATCH_V6_CANDIDATE) {
              const t = this.#block.buf.toString('latin1', a, b);
              if (!K_isIpv6At(t, 0, t.length)) continue;
              code = enricher.lookup(t, 0, t.length);
              frag =
                code >= 0
                  ? this.#foundWords(code)
                  : this.#wordsOf(cache.text(code, t, 0, t.length));
            } else {
              code = enricher.cachedIpv4(found[q + 3]!);
              if (code >= 0) frag = this.#foundWords(code);
              else if (
                code !== K_CACHE_MISS &&
                (code !== K_SPECIAL || !enricher.wantsSpecialName)
              )
                frag = this.#wordsOf(cache.text(code, '', 0, 0)); // text not read
              else {
                // The address as text (a cache miss, or a special name to read).
                let t = this.#block.buf.toString('latin1', a, b);
                if (flags === K_MATCH_DEFANGED) t = K_refang(t);
                if (code === K_CACHE_MISS)
                  code = enricher.lookup(t, 0, t.length);
                frag =
                  code >= 0
                    ? this.#foundWords(code)
                    : this.#wordsOf(cache.text(code, t, 0, t.length));
              }
            }
            kept[k * 2] = a;
            kept[k * 2 + 1] = b;
            frags[k] = frag;
            k++;
            need += 40 + (b - a) + frag.n;
          }
          if (o + need + OVERSHOOT > m.length) {
            const b = this.#reserve(o, need);
            m = b.mem;
            dv = b.view;
          }
          o = put(dv, o, LINE_OPEN);
          const ne = info[2]!;
          if (ne === 0) o = copy(m, dv, o, pos, contentEnd);
          else if (ne <= escapes.length) {
            let from = pos;
            for (let j = 0; j < ne; j++) {
              const q = escapes[j]!;
              o = putEscape(m, copy(m, dv, o, from, q), m[q]!);
              from = q + 1;
            }
            o = copy(m, dv, o, from, contentEnd);
          } else
            for (let i = pos; i < contentEnd; i++) o = putEscape(m, o, m[i]!);
          if (k === 0) o = put(dv, o, LINE_NO_IPS);
          else {
            for (let j = 0; j < k; j++) {
              o = put(dv, o, j === 0 ? LINE_FIRST_IP : IP_NEXT);
              const a = kept[j * 2]!;
              o = copy(m, dv, o, a, kept[j * 2 + 1]!);
              o = putNumber(m, dv, put(dv, o, IP_OFFSET), a - pos);
              o = put(dv, o, frags[j]!);
            }
            o = put(dv, o, LINE_CLOSE);
          }
        }
        rows++;
        if (nl >= dataEnd) break;
        lines++;
        pos = nl + 1;
      }
      frags.length = 0;
      return { block: this.#block, outStart, outEnd: o, lines, rows };
    }
  };
}

const JsonlBytes = createJsonlBytes();
type JsonlBytes = InstanceType<typeof JsonlBytes>;

/** The log segment processor. */
export function createLogProcessor(
  plan: LogPlan,
  enricher: AddressEnricher,
): SegmentProcessor {
  const jsonl = plan.annotate === 'jsonl';
  const style = jsonl
    ? logJsonStyle(enricher.registryFields, enricher.rdapFields)
    : logInlineStyle(enricher.registryFields, enricher.rdapFields);
  const cache = new RenderCache(enricher, style);
  const found = new Int32Array(MATCHES * 3);
  const scan = new ScanState();

  /** Text for the address s[a..b); appends a hole to `pieces` when RDAP is needed. */
  function annotate(
    s: string,
    a: number,
    b: number,
    flags: number,
    out: string,
    pieces: OutputPieces,
  ): string {
    let src = s;
    let from = a;
    let to = b;
    if ((flags & MATCH_DEFANGED) !== 0) {
      src = refang(s.slice(a, b));
      from = 0;
      to = src.length;
    }
    const code = enricher.lookup(src, from, to);
    if (enricher.needsRdap(code)) {
      const [head, tail] = cache.holeParts(code);
      return (
        pieces.hole(out + head, { ip: src.slice(from, to), id: code }) + tail
      );
    }
    return out + cache.text(code, src, from, to);
  }

  /**
   * The jsonl form of a segment as text: one object per line, the line's JSON
   * string by JSON.stringify. The calling thread's bytes path (JsonlBytes)
   * does most lines; this takes those it leaves (not ASCII, more addresses
   * than it holds), runs that need RDAP answers, and text with lone
   * surrogates.
   */
  function jsonlSegment(
    s: string,
    pieces: OutputPieces,
  ): { out: string; lines: number; rows: number } {
    const end = s.length;
    scan.reset(s);
    let out = '';
    let lines = 0;
    let rows = 0;
    let pos = 0;
    while (pos < end) {
      const nl = s.indexOf('\n', pos);
      const lineEnd = nl < 0 ? end : nl;
      const contentEnd =
        lineEnd > pos && s.charCodeAt(lineEnd - 1) === 13
          ? lineEnd - 1
          : lineEnd;
      out += `{"line":${JSON.stringify(s.slice(pos, contentEnd))},"ips":[`;
      let from = pos;
      let first = true;
      for (;;) {
        const n = scanAddresses(s, from, contentEnd, found, scan);
        for (let k = 0; k < n; k++) {
          const a = found[k * 3]!;
          const b = found[k * 3 + 1]!;
          out +=
            (first ? '{"ip":"' : ',{"ip":"') +
            s.slice(a, b) +
            '","offset":' +
            offsetText(a - pos);
          out = annotate(s, a, b, found[k * 3 + 2]!, out, pieces) + '}';
          first = false;
        }
        if (n < MATCHES) break;
        from = found[(n - 1) * 3 + 1]!;
      }
      out += ']}\n';
      rows++;
      if (nl < 0) break;
      lines++;
      pos = nl + 1;
    }
    return { out, lines, rows };
  }

  const bytesCore =
    jsonl && enricher.rdapNeed === 'off'
      ? new JsonlBytes(
          enricher,
          cache,
          (line) => jsonlSegment(line, new OutputPieces()).out,
        )
      : null;

  const process = (segment: string): SegmentResult => {
    const counters = createCounters();
    enricher.counters = counters;
    if (bytesCore !== null && isWellFormed(segment)) {
      const r = bytesCore.run(segment);
      const text = r.block.buf.toString('utf8', r.outStart, r.outEnd);
      bytesCore.release(r.block);
      counters[C_ROWS] = r.rows;
      const lines = r.lines;
      return {
        text,
        pieces: null,
        counters,
        lines,
        issues: [],
        stopped: false,
      };
    }
    const pieces = new OutputPieces();
    const s = segment; // UTF-8 text for jsonl, binary for inline (see inputEncoding)
    const end = s.length;
    let out = '';
    let lines = 0;
    let rows = 0;
    if (jsonl) {
      ({ out, lines, rows } = jsonlSegment(s, pieces));
    } else {
      // Inline: copy the text, inserting after each address; lines are only counted.
      let copyFrom = 0;
      let from = 0;
      for (;;) {
        const n = scanAddresses(s, from, end, found);
        for (let k = 0; k < n; k++) {
          const a = found[k * 3]!;
          const b = found[k * 3 + 1]!;
          out = annotate(
            s,
            a,
            b,
            found[k * 3 + 2]!,
            out + s.slice(copyFrom, b),
            pieces,
          );
          copyFrom = b;
        }
        if (n < MATCHES) break;
        from = found[(n - 1) * 3 + 1]!;
      }
      out += s.slice(copyFrom, end);
      for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) lines++;
      rows = lines + (end > 0 && s.charCodeAt(end - 1) !== 10 ? 1 : 0);
    }
    counters[C_ROWS] = rows;
    const { text, pieces: p } = pieces.finish(out);
    return { text, pieces: p, counters, lines, issues: [], stopped: false };
  };

  if (bytesCore === null) return { process };
  const core = bytesCore;
  const processor: BytesSegmentProcessor = {
    process,
    processBytes(bytes: Uint8Array): SegmentBytesResult {
      const counters = createCounters();
      enricher.counters = counters;
      const r = core.run(bytes);
      counters[C_ROWS] = r.rows;
      return {
        text: '',
        pieces: null,
        bytes: r.block.buf.subarray(r.outStart, r.outEnd),
        release: () => core.release(r.block),
        counters,
        lines: r.lines,
        issues: [],
        stopped: false,
      };
    },
  };
  return processor;
}

/** True when a string has no lone surrogate (String.prototype.isWellFormed, ES2024). */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

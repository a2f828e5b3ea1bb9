/**
 * Streaming parser for the RIR Statistics Exchange Format: the
 * `delegated-<rir>[-extended]-<date>` files of the five RIRs, IANA's
 * `delegated-iana` file and the NRO combined file.
 *
 * Line grammar (REFERENCE.md A3):
 *
 * ```
 * # comment                                             anywhere; blank lines too
 * version|registry|serial|records|startdate|enddate|UTCoffset       the first other line
 * registry|*|type|*|count|summary                       one per type, any order
 * registry|cc|type|start|value|date|status[|opaque-id[|extensions…]]
 * ```
 *
 * The bytes are decoded one chunk at a time into a string and scanned with
 * `indexOf`/`charCodeAt` over that string: no per-line substring, no `split`,
 * no regex. Addresses are parsed in place by `ip/parse-ip.ts`. One mutable
 * {@link DelegatedRecord} (and one `Uint32Array(4)` for IPv6) is handed to the
 * consumer for every record line.
 */

import { DelegatedFileError, type RegistryErrorCode } from '../errors.js';
import { parseIpv4, parseIpv6 } from '../ip/parse-ip.js';
import type { LoadWarning, ResourceType } from '../types.js';
import type {
  DelegatedFileSummary,
  DelegatedHeader,
  DelegatedRecord,
  ParseDelegatedOptions,
  TypeCounts,
} from './delegated-record.js';

/** A push parser for one delegated file. */
export interface DelegatedParser {
  /**
   * Feeds the next bytes of the file. A chunk may end anywhere, even inside a
   * line or a UTF-8 sequence. Calls `onRecord` for every complete record line.
   * @throws {DelegatedFileError} on the first problem, unless `lenient`; always
   *   for a missing or malformed version line and for a line over 1 MiB.
   * @throws {TypeError} when `chunk` is not a Uint8Array or `end()` was called.
   */
  push(chunk: Uint8Array): void;
  /**
   * Parses the last line (a final newline is optional) and checks the record
   * counts of the version and summary lines against the record lines read.
   * @returns what the file held.
   * @throws {DelegatedFileError} `DELEGATED_NO_HEADER` when the file had no
   *   version line; `DELEGATED_COUNT_MISMATCH` (unless `lenient`) when a count
   *   does not match: a truncated file looks like this.
   */
  end(): DelegatedFileSummary;
  /** The version line, once it has been read; null before. */
  readonly header: DelegatedHeader | null;
}

/** Bytes decoded into one string at most (V8 keeps strings up to 128 KiB in its young generation). */
const DECODE_PIECE = 1 << 16;
/** Lines longer than this are refused (no real line exceeds 200 characters). */
const MAX_LINE_LENGTH = 1 << 20;
/** At most this many warnings are kept in the summary; `warningCount` has the total. */
const MAX_KEPT_WARNINGS = 1000;
/** Fields looked at in a line; later ones (NRO `e-stats`/`iana`) are ignored. */
const MAX_FIELDS = 8;

const TYPES: readonly ResourceType[] = ['asn', 'ipv4', 'ipv6'];
const ASN = 0;
const IPV4 = 1;
const IPV6 = 2;

const HEADER_FIELDS =
  '(version|registry|serial|records|startdate|enddate|UTCoffset)';
const RECORD_FIELDS = '(registry|cc|type|start|value|date|status[|opaque-id])';
const SUMMARY_FIELDS = '(registry|*|type|*|count|summary)';

/** Registry names a version line may carry. */
const HEADER_REGISTRIES: ReadonlyMap<string, string> = new Map(
  ['afrinic', 'apnic', 'arin', 'iana', 'lacnic', 'nro', 'ripencc'].map((r) => [
    r,
    r,
  ]),
);
/** Statuses of RIR and NRO files (`ianapool` and `ietf` are the NRO file's). */
const RIR_STATUSES = [
  'allocated',
  'assigned',
  'available',
  'reserved',
  'ianapool',
  'ietf',
];
/** IANA's file names in field 7 the registry that received the block. */
const IANA_STATUSES = [
  ...RIR_STATUSES,
  'afrinic',
  'apnic',
  'arin',
  'iana',
  'lacnic',
  'ripencc',
];

/** A closed word list: exact-case candidates by length (fast path) and a lower-case map. */
interface WordTable {
  readonly byLength: readonly (readonly string[])[];
  readonly lower: ReadonlyMap<string, string>;
}

function wordTable(words: readonly string[]): WordTable {
  const byLength: string[][] = [];
  for (let n = 0; n <= 16; n++) byLength.push([]);
  for (const w of words) byLength[w.length]!.push(w);
  return { byLength, lower: new Map(words.map((w) => [w, w])) };
}

/** Registry names a record line of the NRO combined file may carry. */
const NRO_RECORD_REGISTRIES = wordTable([
  'afrinic',
  'apnic',
  'arin',
  'iana',
  'lacnic',
  'ripencc',
]);
const RIR_STATUS_TABLE = wordTable(RIR_STATUSES);
const IANA_STATUS_TABLE = wordTable(IANA_STATUSES);

/** The word of `table` that `s[a..b)` spells (any case), or undefined. */
function matchWord(
  s: string,
  a: number,
  b: number,
  table: WordTable,
): string | undefined {
  const n = b - a;
  if (n > 16) return undefined;
  for (const w of table.byLength[n]!) if (s.startsWith(w, a)) return w;
  return table.lower.get(s.slice(a, b).toLowerCase());
}

/** Fast path of the status field: the common statuses written in lower case. */
function commonStatus(s: string, a: number, b: number): string | undefined {
  const n = b - a;
  if (n === 9) {
    if (s.startsWith('allocated', a)) return 'allocated';
    if (s.startsWith('available', a)) return 'available';
  } else if (n === 8) {
    const c = s.charCodeAt(a);
    if (c === 97 && s.startsWith('assigned', a)) return 'assigned';
    if (c === 114 && s.startsWith('reserved', a)) return 'reserved';
  }
  return undefined;
}

/** Country codes `AA`..`ZZ`, upper case, created on first use. */
const COUNTRY_CODES: (string | undefined)[] = new Array<string | undefined>(
  26 * 26,
);

/** 0 asn, 1 ipv4, 2 ipv6, -1 otherwise (any case). */
function typeCode(s: string, a: number, b: number): number {
  const n = b - a;
  if (n === 3) {
    if (
      (s.charCodeAt(a) | 32) === 97 &&
      (s.charCodeAt(a + 1) | 32) === 115 &&
      (s.charCodeAt(a + 2) | 32) === 110
    )
      return ASN;
  } else if (
    n === 4 &&
    (s.charCodeAt(a) | 32) === 105 &&
    (s.charCodeAt(a + 1) | 32) === 112 &&
    (s.charCodeAt(a + 2) | 32) === 118
  ) {
    const c = s.charCodeAt(a + 3);
    if (c === 52) return IPV4;
    if (c === 54) return IPV6;
  }
  return -1;
}

/** Unsigned decimal of 1 to 15 digits in `s[a..b)`, or -1. */
function parseDigits(s: string, a: number, b: number): number {
  if (a === b || b - a > 15) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A date field: `yyyymmdd` → that number; empty, `00000000`, `19700101` and the
 * readme's `0000/00/00` → 0 (unknown); anything else → -1.
 */
function parseDate(s: string, a: number, b: number): number {
  const n = b - a;
  if (n === 0) return 0;
  if (n === 8) {
    const v = parseDigits(s, a, b);
    if (v < 0) return -1;
    if (v === 0 || v === 19700101) return 0;
    const month = Math.floor(v / 100) % 100;
    const day = v % 100;
    if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
    return v;
  }
  if (n === 10 && s.startsWith('0000/00/00', a)) return 0;
  return -1;
}

/** True when `s[a..b)` is `digits(.digits)*`. */
function isVersion(s: string, a: number, b: number): boolean {
  if (a === b) return false;
  let digits = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && digits > 0) digits = 0;
    else return false;
  }
  return digits > 0;
}

/** `s[a..b)` quoted for a message, shortened when long. */
function show(s: string, a: number, b: number): string {
  return JSON.stringify(b - a > 60 ? `${s.slice(a, a + 60)}…` : s.slice(a, b));
}

/** True when `s[a..b)` holds a `%` (a zone id, which parseIpv6 would accept). */
function hasZone(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (s.charCodeAt(i) === 37) return true;
  return false;
}

function isStar(s: string, a: number, b: number): boolean {
  return b === a + 1 && s.charCodeAt(a) === 42;
}

function isSummaryWord(s: string, a: number, b: number): boolean {
  return (
    b - a === 7 &&
    (s.startsWith('summary', a) || s.slice(a, b).toLowerCase() === 'summary')
  );
}

class Parser implements DelegatedParser {
  header: DelegatedHeader | null = null;

  private readonly file: string;
  private readonly lenient: boolean;
  private readonly onWarning: ((warning: LoadWarning) => void) | undefined;
  private readonly onRecord: (record: DelegatedRecord) => void;

  private readonly decoder = new TextDecoder('utf-8');
  /**
   * For a chunk that starts and ends on character boundaries: decoding it
   * whole skips the streaming decoder's bookkeeping, several times faster.
   * The BOM is kept (only the start of the file may drop it, and the first
   * chunk always goes through the streaming decoder).
   */
  private readonly wholeDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Whether the streaming decoder may hold bytes of an unfinished character. */
  private midCharacter = true;
  /** Text of an unfinished line carried over from the previous chunk. */
  private carry = '';
  private lineNo = 0;
  private ended = false;

  // Per-line field bounds [start, end), trimmed.
  private readonly fa = new Int32Array(MAX_FIELDS);
  private readonly fb = new Int32Array(MAX_FIELDS);

  /** `registry` of the version line, and which status list applies. */
  private registry = '';
  private isNro = false;
  private statuses = RIR_STATUS_TABLE;

  private readonly record: DelegatedRecord;
  private readonly v6: Uint32Array;
  /** Opaque ids seen, so equal ids share one compact string. */
  // Interned opaque ids: open addressing, slots of [index + 1, hash].
  private readonly ids: OpaqueIds;
  private idIndex = -1;
  private lastId: string | null = null;
  private lastIndex = -1;

  private readonly announced: Partial<TypeCounts> = {};
  private readonly summaryLine = [0, 0, 0];
  private readonly read: TypeCounts = { asn: 0, ipv4: 0, ipv6: 0 };
  /** Record lines per type, counting lines skipped under `lenient` whose type was readable. */
  private readonly typeLines = [0, 0, 0];
  /** Every line that is not blank, a comment, the version line or a summary line. */
  private recordLines = 0;
  private extended = false;
  private warningCount = 0;
  private readonly warnings: LoadWarning[] = [];

  constructor(
    options: ParseDelegatedOptions,
    onRecord: (record: DelegatedRecord) => void,
  ) {
    this.file = options.file;
    this.lenient = options.lenient === true;
    this.onWarning = options.onWarning;
    this.onRecord = onRecord;
    this.ids = options.ids ?? new OpaqueIds();
    this.v6 = new Uint32Array(4);
    this.record = {
      registry: '',
      country: '',
      type: 'ipv4',
      first: 0,
      last: 0,
      v6: this.v6,
      prefixLength: 0,
      date: 0,
      status: '',
      opaqueId: '',
      opaqueIndex: -1,
      hasOpaqueField: false,
      line: 0,
    };
  }

  push(chunk: Uint8Array): void {
    if (this.ended) throw new TypeError('push() called after end()');
    if (!(chunk instanceof Uint8Array))
      throw new TypeError('`chunk` must be a Uint8Array');
    // Decoded in pieces: a string over 128 KiB goes to V8's large-object
    // space, fresh memory (page faults) every time.
    for (let at = 0; at < chunk.length; at += DECODE_PIECE)
      this.#pushPiece(
        at === 0 && chunk.length <= DECODE_PIECE
          ? chunk
          : chunk.subarray(at, Math.min(chunk.length, at + DECODE_PIECE)),
      );
  }

  #pushPiece(chunk: Uint8Array): void {
    // A chunk ending in an ASCII byte ends on a character boundary.
    const endsClean = chunk.length > 0 && chunk[chunk.length - 1]! < 0x80;
    const text =
      !this.midCharacter && endsClean
        ? this.wholeDecoder.decode(chunk)
        : this.decoder.decode(chunk, { stream: true });
    this.midCharacter = !endsClean;
    this.scan(text, false);
  }

  end(): DelegatedFileSummary {
    if (this.ended) throw new TypeError('end() called twice');
    this.scan(this.decoder.decode(), true);
    this.ended = true;
    const header = this.header;
    if (header === null) {
      throw new DelegatedFileError(
        'DELEGATED_NO_HEADER',
        'expected a version line ' +
          HEADER_FIELDS +
          ', found none: the file is empty or holds only comments',
        this.file,
        0,
      );
    }
    for (let t = 0; t < 3; t++) {
      const type = TYPES[t]!;
      const announced = this.announced[type];
      if (announced !== undefined && announced !== this.typeLines[t]) {
        this.problem(
          'DELEGATED_COUNT_MISMATCH',
          `expected ${announced} ${type} records (summary line ${this.summaryLine[t]}) ` +
            `but found ${this.typeLines[t]} ${type} record lines`,
          0,
        );
      }
    }
    if (header.records !== this.recordLines) {
      this.problem(
        'DELEGATED_COUNT_MISMATCH',
        `expected ${header.records} records (version line ${header.line}) ` +
          `but found ${this.recordLines} record lines`,
        0,
      );
    }
    return {
      file: this.file,
      header,
      announced: { ...this.announced },
      read: { ...this.read },
      kind: this.extended ? 'extended' : 'standard',
      lines: this.lineNo,
      warningCount: this.warningCount,
      warnings: this.warnings.slice(),
    };
  }

  /** Splits decoded text into lines; an unfinished last line is carried over. */
  private scan(text: string, final: boolean): void {
    let pos = 0;
    if (this.carry.length > 0) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.carry += text;
        if (!final) {
          this.checkCarry();
          return;
        }
        const line = this.carry;
        this.carry = '';
        this.lineNo++;
        this.line(line, 0, line.length);
        return;
      }
      const line = this.carry + text.slice(0, nl);
      this.carry = '';
      this.lineNo++;
      this.line(line, 0, line.length);
      pos = nl + 1;
    }
    const n = text.length;
    while (pos < n) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.lineNo++;
      this.line(text, pos, nl);
      pos = nl + 1;
    }
    if (pos < n) {
      if (final) {
        this.lineNo++;
        this.line(text, pos, n);
      } else {
        this.carry = text.slice(pos);
        this.checkCarry();
      }
    }
  }

  private checkCarry(): void {
    if (this.carry.length > MAX_LINE_LENGTH) {
      throw new DelegatedFileError(
        this.header === null ? 'DELEGATED_NO_HEADER' : 'DELEGATED_BAD_LINE',
        `line longer than ${MAX_LINE_LENGTH} characters: this is not a delegated file`,
        this.file,
        this.lineNo + 1,
      );
    }
  }

  /**
   * Records a problem: throws when strict; under `lenient` adds a warning and
   * returns false so the caller can skip the line.
   */
  private problem(
    code: RegistryErrorCode,
    message: string,
    line: number,
  ): false {
    const error = new DelegatedFileError(code, message, this.file, line);
    if (!this.lenient) throw error;
    const warning: LoadWarning = {
      file: this.file,
      line,
      code,
      message: error.message,
    };
    this.warningCount++;
    if (this.warnings.length < MAX_KEPT_WARNINGS) this.warnings.push(warning);
    this.onWarning?.(warning);
    return false;
  }

  /**
   * Splits `s[from..to)` at `|` into trimmed field bounds. Returns the number of
   * fields, or `MAX_FIELDS + 1` for any line with more than `MAX_FIELDS`.
   */
  private split(s: string, from: number, to: number): number {
    const fa = this.fa;
    const fb = this.fb;
    let nf = 0;
    let start = from;
    for (;;) {
      const bar = s.indexOf('|', start);
      if (bar < 0 || bar >= to) {
        fa[nf] = start;
        fb[nf] = to;
        nf++;
        break;
      }
      fa[nf] = start;
      fb[nf] = bar;
      nf++;
      start = bar + 1;
      if (nf === MAX_FIELDS) {
        nf++; // fields after the 8th are not looked at
        break;
      }
    }
    const m = nf < MAX_FIELDS ? nf : MAX_FIELDS;
    for (let k = 0; k < m; k++) {
      let a = fa[k]!;
      let b = fb[k]!;
      while (a < b && s.charCodeAt(a) <= 32) a++;
      while (b > a && s.charCodeAt(b - 1) <= 32) b--;
      fa[k] = a;
      fb[k] = b;
    }
    return nf;
  }

  /** One line `s[from..to)` without its `\n`. */
  private line(s: string, from: number, to: number): void {
    while (to > from && s.charCodeAt(to - 1) <= 32) to--;
    for (;;) {
      if (from === to) return; // blank line
      const c = s.charCodeAt(from);
      if (c <= 32 || c === 0xfeff) from++;
      else if (c === 35)
        return; // comment
      else break;
    }
    const nf = this.split(s, from, to);
    if (this.header === null) {
      this.versionLine(s, from, to, nf);
      return;
    }
    const fa = this.fa;
    const fb = this.fb;
    if (
      isStar(s, fa[1]!, fb[1]!) ||
      (nf >= 6 && isSummaryWord(s, fa[5]!, fb[5]!) && isStar(s, fa[3]!, fb[3]!))
    ) {
      this.summaryLine_(s, nf);
      return;
    }
    if (isVersion(s, fa[0]!, fb[0]!)) {
      this.problem(
        'DELEGATED_BAD_LINE',
        `expected a record line ${RECORD_FIELDS}, got a second version line ` +
          `(the first is line ${this.header.line})`,
        this.lineNo,
      );
      return;
    }
    this.recordLine(s, nf);
  }

  private versionLine(s: string, from: number, to: number, nf: number): void {
    const fa = this.fa;
    const fb = this.fb;
    const line = this.lineNo;
    const file = this.file;
    const va = fa[0]!;
    const vb = fb[0]!;
    if (!isVersion(s, va, vb)) {
      throw new DelegatedFileError(
        'DELEGATED_NO_HEADER',
        `expected a version line ${HEADER_FIELDS} before any other line, got ${show(s, from, to)}`,
        file,
        line,
      );
    }
    let dot = s.indexOf('.', va);
    if (dot < 0 || dot > vb) dot = vb;
    if (parseDigits(s, va, dot) !== 2) {
      throw new DelegatedFileError(
        'DELEGATED_BAD_VERSION',
        `expected format version 2 or 2.x in field 1 (version), got ${show(s, va, vb)}`,
        file,
        line,
      );
    }
    if (nf < 7) {
      throw new DelegatedFileError(
        'DELEGATED_BAD_HEADER',
        `expected 7 fields in the version line ${HEADER_FIELDS}, got ${nf}`,
        file,
        line,
      );
    }
    /** The error for a header field `k` (0-based) that is not `expected`. */
    const badHeaderField = (
      expected: string,
      k: number,
      name: string,
    ): DelegatedFileError =>
      new DelegatedFileError(
        'DELEGATED_BAD_HEADER',
        `expected ${expected} in field ${k + 1} (${name}), got ${show(s, fa[k]!, fb[k]!)}`,
        file,
        line,
      );
    const registry = HEADER_REGISTRIES.get(s.slice(fa[1], fb[1]).toLowerCase());
    if (registry === undefined) {
      throw badHeaderField(
        'a registry name (afrinic, apnic, arin, iana, lacnic, nro, ripencc)',
        1,
        'registry',
      );
    }
    const records = parseDigits(s, fa[3]!, fb[3]!);
    if (records < 0) {
      throw badHeaderField('a record count', 3, 'records');
    }
    const startDate = parseDate(s, fa[4]!, fb[4]!);
    if (startDate < 0) {
      throw badHeaderField('a date yyyymmdd', 4, 'startdate');
    }
    const endDate = parseDate(s, fa[5]!, fb[5]!);
    if (endDate < 0) {
      throw badHeaderField('a date yyyymmdd', 5, 'enddate');
    }
    this.registry = registry;
    this.isNro = registry === 'nro';
    this.statuses = registry === 'iana' ? IANA_STATUS_TABLE : RIR_STATUS_TABLE;
    this.header = {
      version: s.slice(va, vb),
      registry,
      serial: s.slice(fa[2], fb[2]),
      records,
      startDate,
      endDate,
      utcOffset: s.slice(fa[6], fb[6]),
      line,
    };
  }

  /** `registry|*|type|*|count|summary` */
  private summaryLine_(s: string, nf: number): void {
    const fa = this.fa;
    const fb = this.fb;
    const line = this.lineNo;
    if (nf < 6) {
      this.problem(
        'DELEGATED_BAD_LINE',
        `expected 6 fields in a summary line ${SUMMARY_FIELDS}, got ${nf}`,
        line,
      );
      return;
    }
    if (!isStar(s, fa[1]!, fb[1]!) || !isStar(s, fa[3]!, fb[3]!)) {
      const k = isStar(s, fa[1]!, fb[1]!) ? 3 : 1;
      this.problem(
        'DELEGATED_BAD_LINE',
        `expected "*" in field ${k + 1} of a summary line ${SUMMARY_FIELDS}, ` +
          `got ${show(s, fa[k]!, fb[k]!)}`,
        line,
      );
      return;
    }
    if (!isSummaryWord(s, fa[5]!, fb[5]!)) {
      this.problem(
        'DELEGATED_BAD_LINE',
        `expected "summary" in field 6 of a summary line ${SUMMARY_FIELDS}, ` +
          `got ${show(s, fa[5]!, fb[5]!)}`,
        line,
      );
      return;
    }
    if (!this.sameRegistry(s, fa[0]!, fb[0]!)) {
      this.problem(
        'DELEGATED_REGISTRY_MISMATCH',
        `expected registry "${this.registry}" (from the version line) in field 1 (registry) ` +
          `of a summary line, got ${show(s, fa[0]!, fb[0]!)}`,
        line,
      );
      return;
    }
    const t = typeCode(s, fa[2]!, fb[2]!);
    if (t < 0) {
      this.problem(
        'DELEGATED_BAD_FIELD',
        `expected asn, ipv4 or ipv6 in field 3 (type) of a summary line, ` +
          `got ${show(s, fa[2]!, fb[2]!)}`,
        line,
      );
      return;
    }
    const count = parseDigits(s, fa[4]!, fb[4]!);
    if (count < 0) {
      this.problem(
        'DELEGATED_BAD_FIELD',
        `expected a record count in field 5 (count) of a summary line, ` +
          `got ${show(s, fa[4]!, fb[4]!)}`,
        line,
      );
      return;
    }
    const type = TYPES[t]!;
    if (this.announced[type] !== undefined) {
      this.problem(
        'DELEGATED_BAD_LINE',
        `expected one ${type} summary line, got a second one (the first is line ${this.summaryLine[t]})`,
        line,
      );
      return;
    }
    this.announced[type] = count;
    this.summaryLine[t] = line;
  }

  /** True when `s[a..b)` names the version line's registry (any case). */
  private sameRegistry(s: string, a: number, b: number): boolean {
    const r = this.registry;
    return (
      (b - a === r.length && s.startsWith(r, a)) ||
      (b - a === r.length && s.slice(a, b).toLowerCase() === r)
    );
  }

  private recordLine(s: string, nf: number): void {
    const fa = this.fa;
    const fb = this.fb;
    const line = this.lineNo;
    this.recordLines++;
    const t = nf >= 3 ? typeCode(s, fa[2]!, fb[2]!) : -1;
    if (t >= 0) this.typeLines[t]!++;
    if (nf < 7) {
      this.problem(
        'DELEGATED_BAD_LINE',
        `expected at least 7 fields ${RECORD_FIELDS}, got ${nf}`,
        line,
      );
      return;
    }

    // 1 registry
    let a = fa[0]!;
    let b = fb[0]!;
    const registry = this.isNro
      ? matchWord(s, a, b, NRO_RECORD_REGISTRIES)
      : this.sameRegistry(s, a, b)
        ? this.registry
        : undefined;
    if (registry === undefined) {
      this.problem(
        'DELEGATED_REGISTRY_MISMATCH',
        this.isNro
          ? `expected a registry name (afrinic, apnic, arin, iana, lacnic, ripencc) in field 1 ` +
              `(registry), got ${show(s, a, b)}`
          : `expected registry "${this.registry}" (from the version line) in field 1 ` +
              `(registry), got ${show(s, a, b)}`,
        line,
      );
      return;
    }

    // 2 cc
    a = fa[1]!;
    b = fb[1]!;
    let country = '';
    if (b > a) {
      const c0 = (s.charCodeAt(a) | 32) - 97;
      const c1 = (s.charCodeAt(a + 1) | 32) - 97;
      if (b - a !== 2 || c0 < 0 || c0 > 25 || c1 < 0 || c1 > 25) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected a two-letter country code or nothing in field 2 (cc), got ${show(s, a, b)}`,
          line,
        );
        return;
      }
      const k = c0 * 26 + c1;
      country =
        COUNTRY_CODES[k] ??
        (COUNTRY_CODES[k] = String.fromCharCode(65 + c0, 65 + c1));
    }

    // 3 type
    if (t < 0) {
      this.problem(
        'DELEGATED_BAD_FIELD',
        `expected asn, ipv4 or ipv6 in field 3 (type), got ${show(s, fa[2]!, fb[2]!)}`,
        line,
      );
      return;
    }

    // 4 start, 5 value
    a = fa[3]!;
    b = fb[3]!;
    const va = fa[4]!;
    const vb = fb[4]!;
    const v6 = this.v6;
    let first = 0;
    let last = 0;
    let prefixLength = 0;
    if (t === IPV4) {
      first = parseIpv4(s, a, b);
      if (first < 0) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an IPv4 address in field 4 (start), got ${show(s, a, b)}`,
          line,
        );
        return;
      }
      const count = parseDigits(s, va, vb);
      if (count < 1) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an address count (1 or more) in field 5 (value), got ${show(s, va, vb)}`,
          line,
        );
        return;
      }
      last = first + count - 1;
      if (last > 4294967295) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an address count in field 5 (value) that ends the range at ` +
            `255.255.255.255 or before, got ${show(s, va, vb)} from ${show(s, a, b)}`,
          line,
        );
        return;
      }
      v6[0] = v6[1] = v6[2] = v6[3] = 0;
    } else if (t === IPV6) {
      if (!parseIpv6(s, v6, a, b) || hasZone(s, a, b)) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an IPv6 address in field 4 (start), got ${show(s, a, b)}`,
          line,
        );
        return;
      }
      prefixLength = parseDigits(s, va, vb);
      if (prefixLength < 0 || prefixLength > 128) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected a prefix length 0 to 128 in field 5 (value), got ${show(s, va, vb)}`,
          line,
        );
        return;
      }
      // Mask host bits: word w keeps the first (prefixLength - 32w) bits.
      for (let w = 0; w < 4; w++) {
        const keep = prefixLength - 32 * w;
        if (keep <= 0) v6[w] = 0;
        else if (keep < 32)
          v6[w] = v6[w]! & ((0xffffffff << (32 - keep)) >>> 0);
      }
    } else {
      first = parseDigits(s, a, b);
      if (first < 0 || first > 4294967295) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an AS number 0 to 4294967295 in field 4 (start), got ${show(s, a, b)}`,
          line,
        );
        return;
      }
      const count = parseDigits(s, va, vb);
      if (count < 1) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an AS count (1 or more) in field 5 (value), got ${show(s, va, vb)}`,
          line,
        );
        return;
      }
      last = first + count - 1;
      if (last > 4294967295) {
        this.problem(
          'DELEGATED_BAD_FIELD',
          `expected an AS count in field 5 (value) that ends the range at AS4294967295 or ` +
            `before, got ${show(s, va, vb)} from ${show(s, a, b)}`,
          line,
        );
        return;
      }
      v6[0] = v6[1] = v6[2] = v6[3] = 0;
    }

    // 6 date
    a = fa[5]!;
    b = fb[5]!;
    const date = parseDate(s, a, b);
    if (date < 0) {
      this.problem(
        'DELEGATED_BAD_FIELD',
        `expected a date yyyymmdd or nothing in field 6 (date), got ${show(s, a, b)}`,
        line,
      );
      return;
    }

    // 7 status
    a = fa[6]!;
    b = fb[6]!;
    const status = commonStatus(s, a, b) ?? matchWord(s, a, b, this.statuses);
    if (status === undefined) {
      this.problem(
        'DELEGATED_BAD_FIELD',
        `expected ${this.statuses === IANA_STATUS_TABLE ? IANA_STATUSES.join(', ') : RIR_STATUSES.join(', ')} ` +
          `in field 7 (status), got ${show(s, a, b)}`,
        line,
      );
      return;
    }

    // 8 opaque-id (optional)
    let opaqueId = '';
    this.idIndex = -1;
    const hasOpaqueField = nf >= 8;
    if (hasOpaqueField) {
      a = fa[7]!;
      b = fb[7]!;
      if (b > a) opaqueId = this.opaqueId(s, a, b);
      this.extended = true;
    }

    const r = this.record;
    r.registry = registry;
    r.country = country;
    r.type = TYPES[t]!;
    r.first = first;
    r.last = last;
    r.prefixLength = prefixLength;
    r.date = date;
    r.status = status;
    r.opaqueId = opaqueId;
    r.opaqueIndex = this.idIndex;
    r.hasOpaqueField = hasOpaqueField;
    r.line = line;
    if (t === ASN) this.read.asn++;
    else if (t === IPV4) this.read.ipv4++;
    else this.read.ipv6++;
    this.onRecord(r);
  }

  /**
   * The opaque id in `s[a..b)`, interned (see {@link OpaqueIds}): the
   * consumer gets the same string instance for every repeat, so its own maps
   * hash each id once.
   */
  private opaqueId(s: string, a: number, b: number): string {
    const n = b - a;
    // The previous record's id first: a holder's blocks often come together.
    const last = this.lastId;
    if (last !== null && last.length === n && s.startsWith(last, a)) {
      this.idIndex = this.lastIndex;
      return last;
    }
    const kept = this.internId(s, a, b, n);
    this.lastId = kept;
    this.lastIndex = this.idIndex;
    return kept;
  }

  private internId(s: string, a: number, b: number, n: number): string {
    const k = this.ids.intern(s, a, b, n);
    this.idIndex = k;
    return this.ids.list[k]!;
  }
}

function checkOptions(options: ParseDelegatedOptions, onRecord: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('`options` must be an object with a `file` name');
  }
  if (typeof options.file !== 'string')
    throw new TypeError('`file` must be a string');
  if (options.lenient !== undefined && typeof options.lenient !== 'boolean') {
    throw new TypeError('`lenient` must be a boolean');
  }
  if (
    options.onWarning !== undefined &&
    typeof options.onWarning !== 'function'
  ) {
    throw new TypeError('`onWarning` must be a function');
  }
  if (typeof onRecord !== 'function')
    throw new TypeError('`onRecord` must be a function');
}

/**
 * Opaque ids interned: one string per distinct id, numbered 0, 1, 2… in order
 * of first appearance, found by a hash of its characters without making a
 * substring first. A parser keeps its own; parsers given the same one (see
 * {@link ParseDelegatedOptions.ids}) number the ids of several files alike.
 */
export class OpaqueIds {
  /** The distinct ids, by number. */
  readonly list: string[] = [];
  // Slots are pairs [number + 1 (0 when free), hash]: a probe that meets
  // another id reads only the table, not that id's string.
  #table = new Int32Array(2048);

  /** The number of the id `s[a..b)` (`n` = b - a), added if new. */
  intern(s: string, a: number, b: number, n: number): number {
    let h = 0x811c9dc5;
    for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    const table = this.#table;
    const mask = (table.length >>> 1) - 1;
    let slot = h & mask;
    for (;;) {
      const k = table[2 * slot]! - 1;
      if (k < 0) break;
      if (table[2 * slot + 1] === h) {
        const kept = this.list[k]!;
        if (kept.length === n && s.startsWith(kept, a)) return k;
      }
      slot = (slot + 1) & mask;
    }
    const slice = s.slice(a, b);
    // Concatenation then slice: the result owns a copy of its text (a
    // substring would keep the whole decoded chunk alive).
    this.list.push(n < 13 ? slice : (' ' + slice).slice(1));
    table[2 * slot] = this.list.length;
    table[2 * slot + 1] = h;
    if (this.list.length * 4 > table.length) this.#grow();
    return this.list.length - 1;
  }

  #grow(): void {
    const old = this.#table;
    const table = new Int32Array(old.length * 2);
    const mask = (table.length >>> 1) - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j] === 0) continue;
      let slot = old[j + 1]! & mask;
      while (table[2 * slot] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[j]!;
      table[2 * slot + 1] = old[j + 1]!;
    }
    this.#table = table;
  }
}

/**
 * Creates a push parser for one delegated-statistics file.
 *
 * @param options `file` names the file in messages; `lenient` (default false)
 *   turns malformed lines and count mismatches into warnings (`onWarning`,
 *   summary `warnings`) and skips the bad lines. Problems with the version
 *   line are fatal either way.
 * @param onRecord called once per record line with ONE reused, mutable record:
 *   copy what you keep before returning.
 * @returns `push(chunk)` for each chunk of bytes, then `end()` for the summary.
 * @throws {TypeError} when an option has the wrong type.
 */
export function createDelegatedParser(
  options: ParseDelegatedOptions,
  onRecord: (record: DelegatedRecord) => void,
): DelegatedParser {
  checkOptions(options, onRecord);
  return new Parser(options, onRecord);
}

/**
 * Parses a whole delegated-statistics file from its (decompressed) bytes.
 *
 * @param source the bytes, in chunks of any size.
 * @param options see {@link createDelegatedParser}.
 * @param onRecord called once per record line with ONE reused, mutable record.
 * @returns counts announced and read, the version line, warnings under `lenient`.
 * @throws {DelegatedFileError} on the first problem (`DELEGATED_*` codes), unless
 *   `lenient`; always when the version line is missing or malformed.
 * @throws {TypeError} when an option has the wrong type.
 */
export async function parseDelegated(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ParseDelegatedOptions,
  onRecord: (record: DelegatedRecord) => void,
): Promise<DelegatedFileSummary> {
  const parser = createDelegatedParser(options, onRecord);
  for await (const chunk of source) parser.push(chunk);
  return parser.end();
}

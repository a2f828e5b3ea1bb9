/**
 * MaxMind DB data-section encoding (MaxMind DB format 2.0, "Output Data
 * Section"). Written from the specification; no reader or writer code was
 * consulted.
 *
 * Every field starts with a control byte `TTTSSSSS`:
 *   TTT   type 1..7, or 0 for an extended type whose number minus 7 is the next byte;
 *   SSSSS payload size: < 29 is the size itself; 29, 30, 31 mean 29 + the next
 *         byte, 285 + the next two bytes, 65,821 + the next three bytes
 *         (big-endian, after the extended-type byte when there is one).
 * Maps and arrays count entries instead of bytes. Pointers (type 1) use the size
 * bits as `SSVVV`: SS picks 11, 19, 27 or 32 value bits, offset by 0, 2,048 or
 * 526,336 respectively (none for 32 bits), relative to the start of the data section.
 */

/** Type numbers of the data section. */
export const MMDB_TYPE = {
  pointer: 1,
  string: 2,
  double: 3,
  bytes: 4,
  uint16: 5,
  uint32: 6,
  map: 7,
  int32: 8,
  uint64: 9,
  uint128: 10,
  array: 11,
  container: 12,
  endMarker: 13,
  boolean: 14,
  float: 15,
} as const;

/** Largest payload size (or entry count) a control byte can announce. */
export const MMDB_MAX_SIZE = 65_821 + 0xff_ffff;

/** Pointer bases of the four pointer sizes. */
const POINTER_BASE_1 = 2_048;
const POINTER_BASE_2 = 526_336;
const POINTER_BASE_3 = 134_744_064; // 526,336 + 2^27: first offset that needs 32 bits

/** An unsigned integer of a given MMDB width (the width fixes the type number). */
export class MmdbUint {
  readonly bits: 16 | 32 | 64 | 128;
  readonly value: bigint;

  constructor(bits: 16 | 32 | 64 | 128, value: number | bigint) {
    const v = BigInt(value);
    if (v < 0n || v >= 1n << BigInt(bits))
      throw new RangeError(
        `value ${v} does not fit an unsigned ${bits}-bit integer`,
      );
    this.bits = bits;
    this.value = v;
  }
}

/** An IEEE-754 double. */
export class MmdbDouble {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

/** A value the encoder can write: string, boolean, typed number, array or map. */
export type MmdbValue =
  | string
  | boolean
  | MmdbUint
  | MmdbDouble
  | readonly MmdbValue[]
  | { readonly [key: string]: MmdbValue };

/** A growable byte buffer (no Node Buffer: the encoder is environment-free). */
export class ByteBuffer {
  #bytes: Uint8Array;
  #length = 0;

  constructor(initialCapacity = 1024) {
    this.#bytes = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bytes written. */
  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    const need = this.#length + extra;
    if (need <= this.#bytes.length) return;
    let cap = this.#bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = b;
  }

  /** Appends bytes. */
  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#bytes.set(b, this.#length);
    this.#length += b.length;
  }

  /** Appends the first `length` bytes of another buffer. */
  append(other: ByteBuffer): void {
    const n = other.length;
    this.#reserve(n);
    const src = other.#bytes;
    const dst = this.#bytes;
    const at = this.#length;
    if (n <= 64) for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
    else dst.set(src.subarray(0, n), at);
    this.#length += n;
  }

  /**
   * Appends a string's UTF-8 bytes preceded by its control byte(s): an ASCII
   * fast path that writes char codes directly, else TextEncoder.
   */
  utf8String(value: string): void {
    const n = value.length;
    let ascii = true;
    for (let i = 0; i < n; i++)
      if (value.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    if (!ascii) {
      const b = UTF8.encode(value);
      writeControl(this, MMDB_TYPE.string, b.length);
      this.bytes(b);
      return;
    }
    writeControl(this, MMDB_TYPE.string, n);
    this.#reserve(n);
    const dst = this.#bytes;
    const at = this.#length;
    for (let i = 0; i < n; i++) dst[at + i] = value.charCodeAt(i);
    this.#length += n;
  }

  /** FNV-1a hash of the bytes written. */
  hash(): number {
    let h = 0x811c9dc5;
    const b = this.#bytes;
    for (let i = 0; i < this.#length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return h >>> 0;
  }

  /** True when the bytes written equal `other`'s bytes at `offset`. */
  equalsAt(other: ByteBuffer, offset: number): boolean {
    const n = this.#length;
    if (offset + n > other.#length) return false;
    const a = this.#bytes;
    const b = other.#bytes;
    for (let i = 0; i < n; i++) if (a[i] !== b[offset + i]) return false;
    return true;
  }

  /** Appends the low `count` bytes of `value`, big-endian (count ≤ 6). */
  uintBE(value: number, count: number): void {
    this.#reserve(count);
    if (count <= 4 && value <= 0xffff_ffff) {
      const b = this.#bytes;
      let at = this.#length;
      if (count === 4) b[at++] = value >>> 24;
      if (count >= 3) b[at++] = value >>> 16;
      if (count >= 2) b[at++] = value >>> 8;
      if (count >= 1) b[at++] = value;
      this.#length = at;
      return;
    }
    for (let i = count - 1; i >= 0; i--) {
      this.#bytes[this.#length + i] = value % 256;
      value = Math.floor(value / 256);
    }
    this.#length += count;
  }

  /** Drops everything written. */
  clear(): void {
    this.#length = 0;
  }

  /** A view of the bytes written (valid until the next write). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** A copy of the bytes written. */
  toUint8Array(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

const UTF8 = new TextEncoder();

/** Writes a control byte (and extended-type and size bytes) for `type` and `size`. */
export function writeControl(
  out: ByteBuffer,
  type: number,
  size: number,
): void {
  if (!Number.isInteger(size) || size < 0 || size > MMDB_MAX_SIZE)
    throw new RangeError(
      `MMDB field size ${size} is out of range (0 to ${MMDB_MAX_SIZE})`,
    );
  let sizeBits: number;
  let extra: number;
  let extraBytes: number;
  if (size < 29) {
    sizeBits = size;
    extra = 0;
    extraBytes = 0;
  } else if (size < 285) {
    sizeBits = 29;
    extra = size - 29;
    extraBytes = 1;
  } else if (size < 65_821) {
    sizeBits = 30;
    extra = size - 285;
    extraBytes = 2;
  } else {
    sizeBits = 31;
    extra = size - 65_821;
    extraBytes = 3;
  }
  if (type <= 7) {
    out.byte((type << 5) | sizeBits);
  } else {
    out.byte(sizeBits);
    out.byte(type - 7);
  }
  if (extraBytes > 0) out.uintBE(extra, extraBytes);
}

/** Number of bytes a pointer to `offset` takes. */
export function pointerSize(offset: number): number {
  if (offset < POINTER_BASE_1) return 2;
  if (offset < POINTER_BASE_2) return 3;
  if (offset < POINTER_BASE_3) return 4;
  return 5;
}

/** Writes a pointer to `offset` (bytes from the start of the data section). */
export function writePointer(out: ByteBuffer, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffff_ffff)
    throw new RangeError(
      `MMDB pointer ${offset} is out of range (0 to 2^32 - 1)`,
    );
  if (offset < POINTER_BASE_1) {
    out.byte(0x20 | (offset >>> 8));
    out.uintBE(offset & 0xff, 1);
  } else if (offset < POINTER_BASE_2) {
    const v = offset - POINTER_BASE_1;
    out.byte(0x20 | (1 << 3) | (v >>> 16));
    out.uintBE(v & 0xffff, 2);
  } else if (offset < POINTER_BASE_3) {
    const v = offset - POINTER_BASE_2;
    out.byte(0x20 | (2 << 3) | (v >>> 24));
    out.uintBE(v & 0xff_ffff, 3);
  } else {
    out.byte(0x20 | (3 << 3));
    out.uintBE(offset, 4);
  }
}

/** Writes a UTF-8 string field. */
export function writeString(out: ByteBuffer, value: string): void {
  out.utf8String(value);
}

/** Writes an unsigned integer with the fewest bytes (zero takes none). */
export function writeUint(out: ByteBuffer, value: MmdbUint): void {
  const type =
    value.bits === 16
      ? MMDB_TYPE.uint16
      : value.bits === 32
        ? MMDB_TYPE.uint32
        : value.bits === 64
          ? MMDB_TYPE.uint64
          : MMDB_TYPE.uint128;
  const bytes: number[] = [];
  for (let v = value.value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  writeControl(out, type, bytes.length);
  for (const b of bytes) out.byte(b);
}

/** Writes a double (always 8 bytes). */
export function writeDouble(out: ByteBuffer, value: number): void {
  writeControl(out, MMDB_TYPE.double, 8);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, false);
  out.bytes(b);
}

/** Writes a boolean (no payload: the size is the value). */
export function writeBoolean(out: ByteBuffer, value: boolean): void {
  writeControl(out, MMDB_TYPE.boolean, value ? 1 : 0);
}

/** Encodes a value in full, with no pointers (used for the metadata section). */
export function writeValue(out: ByteBuffer, value: MmdbValue): void {
  if (typeof value === 'string') writeString(out, value);
  else if (typeof value === 'boolean') writeBoolean(out, value);
  else if (value instanceof MmdbUint) writeUint(out, value);
  else if (value instanceof MmdbDouble) writeDouble(out, value.value);
  else if (Array.isArray(value)) {
    const list = value as readonly MmdbValue[];
    writeControl(out, MMDB_TYPE.array, list.length);
    for (const item of list) writeValue(out, item);
  } else {
    const entries = Object.entries(value);
    writeControl(out, MMDB_TYPE.map, entries.length);
    for (const [k, v] of entries) {
      writeString(out, k);
      writeValue(out, v);
    }
  }
}

/** Strings whose UTF-8 form is at most this long are written inline, never through a pointer. */
const INLINE_STRING_MAX = 2;

/**
 * The data section under construction, with deduplication: every distinct
 * value is stored once, and containers refer to their strings, maps and arrays
 * through pointers (short strings of up to two bytes, numbers and booleans are
 * written inline, where a pointer would be no shorter). Identical records thus
 * share one copy, and a map key such as `iso_code` is stored once per file.
 *
 * Containers are encoded into a scratch buffer (one per nesting depth, reused),
 * hashed, and compared byte for byte with the stored values of the same hash
 * before being appended; strings are deduplicated through a map keyed by the
 * string itself.
 */
export class MmdbDataSection {
  readonly #out = new ByteBuffer(1 << 16);
  readonly #scratch: ByteBuffer[] = [];
  #depth = 0;
  /** Open-addressing string table: slot → index + 1 into #stringList (0 = free). */
  #stringSlots = new Int32Array(1 << 12);
  #stringSlotHash = new Int32Array(1 << 12);
  readonly #stringList: string[] = [];
  #stringOffsets = new Float64Array(1 << 11);
  /** A small direct-mapped cache in front of the table, for the values every record repeats. */
  readonly #recent: (string | undefined)[] = new Array<string | undefined>(256);
  readonly #recentOffsets = new Float64Array(256);
  /** Map keys: a small vocabulary, kept apart so its lookups stay in cache. */
  readonly #keys = new Map<string, number>();
  /** Open-addressing table of stored containers: slot → offset + 1 (0 = free). */
  #slots = new Float64Array(1 << 12);
  #slotHash = new Int32Array(1 << 12);
  #used = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#out.length;
  }

  /** The finished section (a view; valid until the next `add`). */
  bytes(): Uint8Array {
    return this.#out.view();
  }

  /** Stores a string (once) and returns its offset. */
  addString(value: string): number {
    const n = value.length;
    const r =
      n === 0
        ? 0
        : (n * 31 + value.charCodeAt(0) * 7 + value.charCodeAt(n - 1) * 3) &
          255;
    if (this.#recent[r] === value) return this.#recentOffsets[r]!;
    const offset = this.#lookupString(value);
    this.#recent[r] = value;
    this.#recentOffsets[r] = offset;
    return offset;
  }

  #lookupString(value: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < value.length; i++)
      h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    const slots = this.#stringSlots;
    const hashes = this.#stringSlotHash;
    const mask = slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const at = slots[slot]!;
      if (at === 0) break;
      if (hashes[slot] === h && this.#stringList[at - 1] === value)
        return this.#stringOffsets[at - 1]!;
      slot = (slot + 1) & mask;
    }
    const offset = this.#out.length;
    this.#out.utf8String(value);
    const index = this.#stringList.length;
    this.#stringList.push(value);
    if (index === this.#stringOffsets.length) {
      const grown = new Float64Array(index * 2);
      grown.set(this.#stringOffsets);
      this.#stringOffsets = grown;
    }
    this.#stringOffsets[index] = offset;
    slots[slot] = index + 1;
    hashes[slot] = h;
    if ((index + 1) * 2 > slots.length) this.#growStrings();
    return offset;
  }

  #growStrings(): void {
    const oldSlots = this.#stringSlots;
    const oldHashes = this.#stringSlotHash;
    const slots = new Int32Array(oldSlots.length * 2);
    const hashes = new Int32Array(oldSlots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const at = oldSlots[i]!;
      if (at === 0) continue;
      const h = oldHashes[i]!;
      let slot = h & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = at;
      hashes[slot] = h;
    }
    this.#stringSlots = slots;
    this.#stringSlotHash = hashes;
  }

  /**
   * Stores a value (once) and returns its offset from the start of the data section.
   * @throws {RangeError} when a string, map or array is too large for the format.
   */
  add(value: MmdbValue): number {
    if (typeof value === 'string') return this.addString(value);
    return this.addEncoded((buf) => this.#encodeRef(buf, value));
  }

  /**
   * Stores one value that `encode` writes into the buffer it is given (once:
   * identical bytes give the offset stored before). `encode` may store other
   * values (strings, maps) and point to them; it must write exactly one field.
   */
  addEncoded(encode: (buf: ByteBuffer) => void): number {
    const depth = this.#depth;
    let buf = this.#scratch[depth];
    if (buf === undefined) {
      buf = new ByteBuffer(256);
      this.#scratch[depth] = buf;
    }
    buf.clear();
    this.#depth = depth + 1;
    try {
      encode(buf);
    } finally {
      this.#depth = depth;
    }
    const hash = buf.hash() | 0;
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const stored = this.#slots[slot]!;
      if (stored === 0) break;
      if (this.#slotHash[slot] === hash && buf.equalsAt(this.#out, stored - 1))
        return stored - 1;
      slot = (slot + 1) & mask;
    }
    const offset = this.#out.length;
    this.#out.append(buf);
    this.#slots[slot] = offset + 1;
    this.#slotHash[slot] = hash;
    if (++this.#used * 2 > this.#slots.length) this.#grow();
    return offset;
  }

  /**
   * Writes a string field into `buf` the way containers hold strings: inline
   * when two UTF-8 bytes or fewer, else as a pointer to its one stored copy.
   */
  writeStringRef(buf: ByteBuffer, value: string): void {
    if (value.length <= INLINE_STRING_MAX && isShortUtf8(value))
      buf.utf8String(value);
    else writePointer(buf, this.addString(value));
  }

  #grow(): void {
    const oldSlots = this.#slots;
    const oldHash = this.#slotHash;
    this.#slots = new Float64Array(oldSlots.length * 2);
    this.#slotHash = new Int32Array(oldSlots.length * 2);
    const mask = this.#slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const stored = oldSlots[i]!;
      if (stored === 0) continue;
      let slot = oldHash[i]! & mask;
      while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
      this.#slots[slot] = stored;
      this.#slotHash[slot] = oldHash[i]!;
    }
  }

  /** Writes `value` into `buf`, with its children as pointers where that is shorter. */
  #encodeRef(buf: ByteBuffer, value: MmdbValue): void {
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      value instanceof MmdbUint ||
      value instanceof MmdbDouble
    ) {
      writeValue(buf, value);
    } else if (Array.isArray(value)) {
      const list = value as readonly MmdbValue[];
      writeControl(buf, MMDB_TYPE.array, list.length);
      for (const item of list) this.#child(buf, item);
    } else {
      const map = value as { readonly [key: string]: MmdbValue };
      let n = 0;
      for (const k in map) if (Object.hasOwn(map, k)) n++;
      writeControl(buf, MMDB_TYPE.map, n);
      for (const k in map) {
        if (!Object.hasOwn(map, k)) continue;
        this.#key(buf, k);
        this.#child(buf, map[k]!);
      }
    }
  }

  #key(buf: ByteBuffer, key: string): void {
    if (key.length <= INLINE_STRING_MAX && isShortUtf8(key)) {
      buf.utf8String(key);
      return;
    }
    let offset = this.#keys.get(key);
    if (offset === undefined) {
      offset = this.addString(key);
      this.#keys.set(key, offset);
    }
    writePointer(buf, offset);
  }

  #child(buf: ByteBuffer, value: MmdbValue): void {
    if (typeof value === 'string') {
      this.writeStringRef(buf, value);
    } else if (
      typeof value === 'object' &&
      !(value instanceof MmdbUint || value instanceof MmdbDouble)
    ) {
      writePointer(buf, this.add(value));
    } else {
      writeValue(buf, value);
    }
  }
}

/** True when a string of at most two UTF-16 units takes at most two UTF-8 bytes. */
function isShortUtf8(value: string): boolean {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes <= INLINE_STRING_MAX;
}

/**
 * The MaxMind DB binary search tree (MaxMind DB format 2.0, "Binary Search
 * Tree Section"), built from disjoint prefixes. Written from the specification.
 *
 * Node `n` holds two records, left (bit 0) and right (bit 1). On disk a record
 * is a node number (< node_count), node_count for "no data", or
 * node_count + 16 + an offset into the data section. Node layouts, big-endian:
 *
 *   24 bits, 6 bytes:  | left 23..0 | right 23..0 |
 *   28 bits, 7 bytes:  | left 23..0 | left 27..24, right 27..24 | right 23..0 |
 *   32 bits, 8 bytes:  | left 31..0 | right 31..0 |
 *
 * While building, a record holds 0 for "empty" (node 0, the root, is never a
 * child), a node number, or DATA_FLAG + a caller's data key.
 */

const EMPTY = 0;
const DATA_FLAG = 0x8000_0000;

/** Size of the data section separator (16 zero bytes) between tree and data. */
export const MMDB_SEPARATOR_SIZE = 16;

/** Record sizes the format's readers support. */
export type MmdbRecordSize = 24 | 28 | 32;

/** The finished tree's shape. */
export interface MmdbTreeLayout {
  readonly nodeCount: number;
  readonly recordSize: MmdbRecordSize;
  /** Bytes of the tree section (node count times node size). */
  readonly treeBytes: number;
}

/** Builds a search tree of depth 32 (IPv4 database) or 128 (IPv6 database). */
export class MmdbTreeBuilder {
  /** Tree depth in bits: 32 or 128. */
  readonly bits: 32 | 128;
  #left: Uint32Array;
  #right: Uint32Array;
  #count = 1;

  constructor(bits: 32 | 128, initialCapacity = 1024) {
    this.bits = bits;
    this.#left = new Uint32Array(Math.max(2, initialCapacity));
    this.#right = new Uint32Array(Math.max(2, initialCapacity));
  }

  /** Number of nodes so far (at least 1: the root). */
  get nodeCount(): number {
    return this.#count;
  }

  #newNode(): number {
    if (this.#count === this.#left.length) {
      const cap = this.#left.length * 2;
      const l = new Uint32Array(cap);
      l.set(this.#left);
      const r = new Uint32Array(cap);
      r.set(this.#right);
      this.#left = l;
      this.#right = r;
    }
    if (this.#count >= DATA_FLAG)
      throw new RangeError('MMDB search tree has too many nodes');
    return this.#count++;
  }

  /**
   * Marks the prefix `words/length` with a data key (0 to 2^31 - 1).
   * `words` holds the address as four 32-bit words, most significant first
   * (for a 32-bit tree only `words[0]` is read). Prefixes must not overlap.
   * @throws {RangeError} when the prefix overlaps one inserted before.
   */
  insert(words: ArrayLike<number>, length: number, dataKey: number): void {
    this.insertBelow(0, 0, words, length, dataKey);
  }

  /**
   * The node reached after the first `depth` bits of `words`, created (with
   * the path to it) when missing: lets many insertions under one prefix (IPv4
   * under `::/96`) start there instead of at the root.
   * @throws {RangeError} when a shorter prefix already holds data on the path
   */
  nodeAt(words: ArrayLike<number>, depth: number): number {
    let node = 0;
    for (let d = 0; d < depth; d++)
      node = this.#step(node, bitAt(words, d) === 1, depth);
    return node;
  }

  /**
   * Like {@link insert}, starting at `node`, which must be the node reached
   * after the first `depth` bits of `words` (see {@link nodeAt}).
   */
  insertBelow(
    node: number,
    depth: number,
    words: ArrayLike<number>,
    length: number,
    dataKey: number,
  ): void {
    if (!Number.isInteger(dataKey) || dataKey < 0 || dataKey >= DATA_FLAG)
      throw new RangeError(`MMDB data key ${dataKey} is out of range`);
    if (length === 0) {
      // The root must stay a node: mark both halves.
      this.#setPath([0, 0, 0, 0], 1, DATA_FLAG + dataKey);
      this.#setPath([0x8000_0000, 0, 0, 0], 1, DATA_FLAG + dataKey);
      return;
    }
    this.#setPath(words, length, DATA_FLAG + dataKey, node, depth);
  }

  /**
   * Makes the prefix `from/fromLength` answer exactly as `to/toLength` does,
   * by pointing its record at the same node (or data) as the target's:
   * MaxMind's way of mapping `::ffff:0:0/96` onto the IPv4 subtree at `::/96`.
   * Nothing is linked when the target has no data.
   */
  alias(
    from: ArrayLike<number>,
    fromLength: number,
    to: ArrayLike<number>,
    toLength: number,
  ): void {
    const target = this.#recordAt(to, toLength);
    if (target === EMPTY) return;
    this.#setPath(from, fromLength, target);
  }

  /** The record reached after following `length` bits of `words` (EMPTY when a gap is met). */
  #recordAt(words: ArrayLike<number>, length: number): number {
    let node = 0;
    for (let depth = 0; depth < length; depth++) {
      const rec =
        bitAt(words, depth) === 0 ? this.#left[node]! : this.#right[node]!;
      if (depth === length - 1 || rec === EMPTY || rec >= DATA_FLAG) return rec;
      node = rec;
    }
    return EMPTY;
  }

  /** Follows one bit from `node`, creating the child node when missing. */
  #step(node: number, right: boolean, length: number): number {
    const rec = right ? this.#right[node]! : this.#left[node]!;
    if (rec === EMPTY) {
      const child = this.#newNode();
      if (right) this.#right[node] = child;
      else this.#left[node] = child;
      return child;
    }
    if (rec >= DATA_FLAG)
      throw new RangeError(
        `MMDB prefix of length ${length} overlaps a shorter prefix`,
      );
    return rec;
  }

  #setPath(
    w: ArrayLike<number>,
    length: number,
    value: number,
    from = 0,
    fromDepth = 0,
  ): void {
    let node = from;
    for (let depth = fromDepth; depth < length - 1; depth++)
      node = this.#step(node, bitAt(w, depth) === 1, length);
    const right = bitAt(w, length - 1) === 1;
    const rec = right ? this.#right[node]! : this.#left[node]!;
    if (rec !== EMPTY)
      throw new RangeError(`MMDB prefix of length ${length} overlaps another`);
    if (right) this.#right[node] = value;
    else this.#left[node] = value;
  }

  /**
   * Picks the smallest record size that can hold every record value.
   * @param dataSectionBytes size of the data section (pointers reach below it)
   * @param recordSize a size to force (checked), or undefined for the smallest that fits
   * @throws {RangeError} when the database is too large for the record size or for 32 bits
   */
  layout(
    dataSectionBytes: number,
    recordSize?: MmdbRecordSize,
  ): MmdbTreeLayout {
    const nodeCount = this.#count;
    const maxValue =
      nodeCount + MMDB_SEPARATOR_SIZE + Math.max(0, dataSectionBytes - 1);
    const fits = (size: number): boolean => maxValue < 2 ** size;
    let size: MmdbRecordSize;
    if (recordSize !== undefined) {
      if (!fits(recordSize))
        throw new RangeError(
          `\`recordSize\` ${recordSize} cannot address ${nodeCount} nodes and ${dataSectionBytes} data bytes`,
        );
      size = recordSize;
    } else if (fits(24)) size = 24;
    else if (fits(28)) size = 28;
    else if (fits(32)) size = 32;
    else
      throw new RangeError(
        'MMDB database too large: record values exceed 32 bits',
      );
    return { nodeCount, recordSize: size, treeBytes: (nodeCount * size) / 4 };
  }

  /**
   * Serialises the tree in chunks of whole nodes.
   * @param dataOffset maps a data key to its offset in the data section
   */
  *serialize(
    layout: MmdbTreeLayout,
    dataOffset: (dataKey: number) => number,
    nodesPerChunk = 8192,
  ): Generator<Uint8Array> {
    const { nodeCount, recordSize } = layout;
    const nodeBytes = recordSize / 4;
    const value = (rec: number): number =>
      rec === EMPTY
        ? nodeCount
        : rec >= DATA_FLAG
          ? nodeCount + MMDB_SEPARATOR_SIZE + dataOffset(rec - DATA_FLAG)
          : rec;
    for (let first = 0; first < nodeCount; first += nodesPerChunk) {
      const last = Math.min(nodeCount, first + nodesPerChunk);
      const out = new Uint8Array((last - first) * nodeBytes);
      let p = 0;
      for (let n = first; n < last; n++) {
        const l = value(this.#left[n]!);
        const r = value(this.#right[n]!);
        if (recordSize === 24) {
          out[p] = l >>> 16;
          out[p + 1] = l >>> 8;
          out[p + 2] = l;
          out[p + 3] = r >>> 16;
          out[p + 4] = r >>> 8;
          out[p + 5] = r;
        } else if (recordSize === 28) {
          out[p] = l >>> 16;
          out[p + 1] = l >>> 8;
          out[p + 2] = l;
          out[p + 3] = (((l >>> 24) & 0x0f) << 4) | ((r >>> 24) & 0x0f);
          out[p + 4] = r >>> 16;
          out[p + 5] = r >>> 8;
          out[p + 6] = r;
        } else {
          out[p] = l >>> 24;
          out[p + 1] = l >>> 16;
          out[p + 2] = l >>> 8;
          out[p + 3] = l;
          out[p + 4] = r >>> 24;
          out[p + 5] = r >>> 16;
          out[p + 6] = r >>> 8;
          out[p + 7] = r;
        }
        p += nodeBytes;
      }
      yield out;
    }
  }
}

/** Bit `i` (0 = most significant) of a 128-bit address held in four words. */
function bitAt(words: ArrayLike<number>, i: number): number {
  return (words[i >>> 5]! >>> (31 - (i & 31))) & 1;
}

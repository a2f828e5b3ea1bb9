/**
 * An independent MaxMind DB checker for tests, written from the format
 * specification (not from the writer): it decodes the metadata, walks the
 * whole search tree and decodes every data record, checking what libmaxminddb's
 * verifier checks (metadata keys and types, record values in range, the
 * 16-byte zero separator, pointers inside the data section and never to a
 * pointer, every node reachable). It also flattens the tree into the list of
 * networks with their data, for exhaustive comparisons.
 */

export interface VerifiedMetadata {
  readonly node_count: number;
  readonly record_size: number;
  readonly ip_version: number;
  readonly database_type: string;
  readonly languages: readonly string[];
  readonly binary_format_major_version: number;
  readonly binary_format_minor_version: number;
  readonly build_epoch: bigint;
  readonly description: Readonly<Record<string, string>>;
}

/** One network of the tree: `start/prefixLength` in the tree's bit space (32 or 128 bits). */
export interface TreeNetwork {
  readonly start: bigint;
  readonly prefixLength: number;
  /** Offset of the data in the data section. */
  readonly offset: number;
}

export interface VerifyResult {
  readonly metadata: VerifiedMetadata;
  readonly treeBytes: number;
  readonly dataSectionBytes: number;
  /**
   * Networks in address order, by walking the tree from the root. A subtree
   * reached a second time (an alias) is not walked again: see `aliases`.
   */
  readonly networks: readonly TreeNetwork[];
  /** Records that point to a node already reached by another record: `start/prefixLength` → node. */
  readonly aliases: readonly {
    readonly start: bigint;
    readonly prefixLength: number;
    readonly node: number;
  }[];
  /** The node reached by following `prefixLength` bits of `start` from the root, or -1. */
  nodeAt(start: bigint, prefixLength: number): number;
  /** Decodes the data record at an offset. */
  decode(offset: number): unknown;
  /** Nodes reached by more than one record (the IPv4 subtree when aliased). */
  readonly sharedNodes: number;
}

const MARKER = [
  0xab,
  0xcd,
  0xef,
  ...Array.from('MaxMind.com', (c) => c.charCodeAt(0)),
];

function lastMarker(buf: Uint8Array): number {
  outer: for (
    let i = buf.length - MARKER.length;
    i >= Math.max(0, buf.length - 128 * 1024);
    i--
  ) {
    for (let j = 0; j < MARKER.length; j++)
      if (buf[i + j] !== MARKER[j]) continue outer;
    return i;
  }
  throw new Error('metadata marker not found in the last 128 KiB');
}

class Decoder {
  readonly #buf: Uint8Array;
  readonly #base: number;
  readonly #end: number;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(buf: Uint8Array, base: number, end: number) {
    this.#buf = buf;
    this.#base = base;
    this.#end = end;
  }

  #byte(p: number): number {
    if (p >= this.#end)
      throw new Error(`read past the section end at ${p - this.#base}`);
    return this.#buf[p]!;
  }

  /** Decodes the field at section offset `offset`; returns [value, next offset]. */
  decode(offset: number, followedPointer = false): [unknown, number] {
    let p = this.#base + offset;
    const ctrl = this.#byte(p++);
    let type = ctrl >>> 5;
    if (type === 1) {
      const ss = (ctrl >>> 3) & 3;
      const vvv = ctrl & 7;
      let target: number;
      if (ss === 0) target = vvv * 256 + this.#byte(p++);
      else if (ss === 1) {
        target = vvv * 65536 + this.#byte(p) * 256 + this.#byte(p + 1) + 2048;
        p += 2;
      } else if (ss === 2) {
        target =
          vvv * 2 ** 24 +
          this.#byte(p) * 65536 +
          this.#byte(p + 1) * 256 +
          this.#byte(p + 2) +
          526336;
        p += 3;
      } else {
        target =
          this.#byte(p) * 2 ** 24 +
          this.#byte(p + 1) * 65536 +
          this.#byte(p + 2) * 256 +
          this.#byte(p + 3);
        p += 4;
      }
      if (followedPointer)
        throw new Error(`pointer at ${offset} follows a pointer`);
      if (this.#base + target >= this.#end)
        throw new Error(`pointer at ${offset} leaves the data section`);
      const targetCtrl = this.#buf[this.#base + target]!;
      if (targetCtrl >>> 5 === 1)
        throw new Error(`pointer at ${offset} points to a pointer`);
      const [value] = this.decode(target, true);
      return [value, p - this.#base];
    }
    if (type === 0) type = 7 + this.#byte(p++);
    let size = ctrl & 31;
    if (size === 29) size = 29 + this.#byte(p++);
    else if (size === 30) {
      size = 285 + this.#byte(p) * 256 + this.#byte(p + 1);
      p += 2;
    } else if (size === 31) {
      size =
        65821 +
        this.#byte(p) * 65536 +
        this.#byte(p + 1) * 256 +
        this.#byte(p + 2);
      p += 3;
    }
    const readUint = (): bigint => {
      let v = 0n;
      for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.#byte(p + i));
      p += size;
      return v;
    };
    switch (type) {
      case 2: {
        if (p + size > this.#end)
          throw new Error(`string at ${offset} leaves the section`);
        const s = this.#utf8.decode(this.#buf.subarray(p, p + size));
        return [s, p + size - this.#base];
      }
      case 3: {
        if (size !== 8) throw new Error(`double of size ${size}`);
        const v = new DataView(
          this.#buf.buffer,
          this.#buf.byteOffset + p,
          8,
        ).getFloat64(0);
        return [v, p + 8 - this.#base];
      }
      case 5:
      case 6:
      case 9:
      case 10: {
        const max = type === 5 ? 2 : type === 6 ? 4 : type === 9 ? 8 : 16;
        if (size > max)
          throw new Error(`integer of type ${type} has ${size} bytes`);
        const v = readUint();
        return [type === 5 || type === 6 ? Number(v) : v, p - this.#base];
      }
      case 7: {
        const out: Record<string, unknown> = {};
        let next = p - this.#base;
        for (let i = 0; i < size; i++) {
          const [k, afterKey] = this.decode(next);
          if (typeof k !== 'string')
            throw new Error(`map key at ${next} is not a string`);
          const [v, afterValue] = this.decode(afterKey);
          out[k] = v;
          next = afterValue;
        }
        return [out, next];
      }
      case 11: {
        const out: unknown[] = [];
        let next = p - this.#base;
        for (let i = 0; i < size; i++) {
          const [v, after] = this.decode(next);
          out.push(v);
          next = after;
        }
        return [out, next];
      }
      case 14:
        if (size > 1) throw new Error(`boolean of size ${size}`);
        return [size === 1, p - this.#base];
      default:
        throw new Error(`unexpected type ${type} at ${offset}`);
    }
  }
}

function expectType(
  meta: Record<string, unknown>,
  key: string,
  type: string,
): void {
  const v = meta[key];
  const actual = Array.isArray(v) ? 'array' : typeof v;
  if (actual !== type)
    throw new Error(`metadata ${key} is ${actual}, expected ${type}`);
}

/** Checks a whole MMDB file; throws an Error naming the first problem. */
export function verifyMmdb(buf: Uint8Array): VerifyResult {
  const markerAt = lastMarker(buf);
  const metaStart = markerAt + MARKER.length;
  const metaDecoder = new Decoder(buf, metaStart, buf.length);
  const [metaValue, metaEnd] = metaDecoder.decode(0);
  if (metaStart + metaEnd !== buf.length)
    throw new Error('bytes after the metadata map');
  const meta = metaValue as Record<string, unknown>;
  expectType(meta, 'node_count', 'number');
  expectType(meta, 'record_size', 'number');
  expectType(meta, 'ip_version', 'number');
  expectType(meta, 'database_type', 'string');
  expectType(meta, 'languages', 'array');
  expectType(meta, 'binary_format_major_version', 'number');
  expectType(meta, 'binary_format_minor_version', 'number');
  expectType(meta, 'build_epoch', 'bigint');
  expectType(meta, 'description', 'object');
  const m = meta as unknown as VerifiedMetadata;
  if (m.binary_format_major_version !== 2)
    throw new Error('major version is not 2');
  if (![24, 28, 32].includes(m.record_size))
    throw new Error(`record size ${m.record_size}`);
  if (m.ip_version !== 4 && m.ip_version !== 6)
    throw new Error(`ip_version ${m.ip_version}`);

  const nodeCount = m.node_count;
  const nodeBytes = m.record_size / 4;
  const treeBytes = nodeCount * nodeBytes;
  const dataStart = treeBytes + 16;
  if (dataStart > markerAt)
    throw new Error('search tree runs into the metadata');
  for (let i = treeBytes; i < dataStart; i++)
    if (buf[i] !== 0)
      throw new Error('data section separator is not 16 zero bytes');
  const dataSectionBytes = markerAt - dataStart;
  const data = new Decoder(buf, dataStart, markerAt);

  const readRecord = (node: number, right: boolean): number => {
    const p = node * nodeBytes;
    if (m.record_size === 24) {
      const q = right ? p + 3 : p;
      return buf[q]! * 65536 + buf[q + 1]! * 256 + buf[q + 2]!;
    }
    if (m.record_size === 28) {
      const mid = buf[p + 3]!;
      if (!right)
        return (
          (mid >>> 4) * 2 ** 24 +
          buf[p]! * 65536 +
          buf[p + 1]! * 256 +
          buf[p + 2]!
        );
      return (
        (mid & 15) * 2 ** 24 +
        buf[p + 4]! * 65536 +
        buf[p + 5]! * 256 +
        buf[p + 6]!
      );
    }
    const q = right ? p + 4 : p;
    return (
      buf[q]! * 2 ** 24 + buf[q + 1]! * 65536 + buf[q + 2]! * 256 + buf[q + 3]!
    );
  };

  const depthBits = m.ip_version === 6 ? 128 : 32;
  const seen = new Uint8Array(nodeCount);
  const decoded = new Map<number, unknown>();
  const networks: TreeNetwork[] = [];
  const aliases: { start: bigint; prefixLength: number; node: number }[] = [];
  // Iterative DFS over items (a node to expand, or a network with data), pushing the
  // right item before the left one, so networks come out in address order.
  type Item = readonly [
    node: number,
    depth: number,
    prefix: bigint,
    offset: number,
  ];
  const stack: Item[] = [[0, 0, 0n, -1]];
  seen[0] = 1;
  while (stack.length > 0) {
    const [node, depth, prefix, offset] = stack.pop()!;
    if (offset >= 0) {
      networks.push({ start: prefix, prefixLength: depth, offset });
      continue;
    }
    for (const right of [true, false]) {
      const rec = readRecord(node, right);
      const childDepth = depth + 1;
      const childPrefix = right
        ? prefix | (1n << BigInt(depthBits - childDepth))
        : prefix;
      if (rec < nodeCount) {
        if (rec === 0) throw new Error(`node ${node} points back to the root`);
        if (childDepth >= depthBits)
          throw new Error(`node ${node} points below the last bit`);
        if (seen[rec] === 1) {
          aliases.push({
            start: childPrefix,
            prefixLength: childDepth,
            node: rec,
          });
          continue;
        }
        seen[rec] = 1;
        stack.push([rec, childDepth, childPrefix, -1]);
      } else if (rec > nodeCount) {
        const dataOffset = rec - nodeCount - 16;
        if (dataOffset < 0 || dataOffset >= dataSectionBytes)
          throw new Error(
            `node ${node} record ${rec} points outside the data section`,
          );
        if (!decoded.has(dataOffset))
          decoded.set(dataOffset, data.decode(dataOffset)[0]);
        stack.push([node, childDepth, childPrefix, dataOffset]);
      }
    }
  }
  for (let n = 0; n < nodeCount; n++)
    if (seen[n] !== 1) throw new Error(`node ${n} is unreachable`);
  // Nodes referenced by more than one record.
  const refs = new Uint8Array(nodeCount);
  let sharedNodes = 0;
  for (let n = 0; n < nodeCount; n++)
    for (const right of [false, true]) {
      const rec = readRecord(n, right);
      if (rec < nodeCount && ++refs[rec]! === 2) sharedNodes++;
    }

  return {
    metadata: m,
    treeBytes,
    dataSectionBytes,
    networks,
    aliases,
    sharedNodes,
    nodeAt: (start: bigint, prefixLength: number) => {
      let node = 0;
      for (let d = 0; d < prefixLength; d++) {
        const bit = (start >> BigInt(depthBits - 1 - d)) & 1n;
        const rec = readRecord(node, bit === 1n);
        if (rec >= nodeCount) return -1;
        node = rec;
      }
      return node;
    },
    decode: (offset: number) => {
      const known = decoded.get(offset);
      return known !== undefined ? known : data.decode(offset)[0];
    },
  };
}

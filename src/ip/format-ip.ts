/** Numbers to IP text: dotted quad for IPv4, RFC 5952 canonical text for IPv6. */

/** Formats an unsigned 32-bit number as a dotted quad. */
export function formatIpv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Formats four 32-bit words (most significant first) as RFC 5952 canonical IPv6 text. */
export function formatIpv6(words: ArrayLike<number>): string {
  const g = [
    (words[0]! >>> 16) & 0xffff,
    words[0]! & 0xffff,
    (words[1]! >>> 16) & 0xffff,
    words[1]! & 0xffff,
    (words[2]! >>> 16) & 0xffff,
    words[2]! & 0xffff,
    (words[3]! >>> 16) & 0xffff,
    words[3]! & 0xffff,
  ];
  // Longest run of zero groups, at least two long, first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g
    .slice(0, bestStart)
    .map((x) => x.toString(16))
    .join(':');
  const tail = g
    .slice(bestStart + bestLen)
    .map((x) => x.toString(16))
    .join(':');
  return `${head}::${tail}`;
}

/** Converts four words to a 128-bit BigInt. */
export function wordsToBigInt(words: ArrayLike<number>): bigint {
  return (
    (BigInt(words[0]! >>> 0) << 96n) |
    (BigInt(words[1]! >>> 0) << 64n) |
    (BigInt(words[2]! >>> 0) << 32n) |
    BigInt(words[3]! >>> 0)
  );
}

/** Writes a 128-bit BigInt into four words (most significant first). */
export function bigIntToWords(
  value: bigint,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  out[0] = Number((value >> 96n) & 0xffffffffn);
  out[1] = Number((value >> 64n) & 0xffffffffn);
  out[2] = Number((value >> 32n) & 0xffffffffn);
  out[3] = Number(value & 0xffffffffn);
  return out;
}

/** Formats a 128-bit BigInt as canonical IPv6 text. */
export function formatIpv6BigInt(value: bigint): string {
  return formatIpv6(bigIntToWords(value));
}

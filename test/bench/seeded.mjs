// Seeded random numbers and addresses shared by the benchmarks (not a
// benchmark itself: run.mjs skips it).

/** A seeded generator of numbers in [0, 1) (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The /16s the registries delegate IPv6 from. */
const V6_TOPS = [
  0x2001, 0x2400, 0x2401, 0x2403, 0x2600, 0x2602, 0x2604, 0x2800, 0x2801,
  0x2a00, 0x2a01, 0x2a02, 0x2c0f,
];

/**
 * `n` seeded public addresses per family: IPv4 uniform over non-special
 * space; IPv6 over the prefixes the registries delegate from, so that most
 * of them hit a record. `lib` is the built package (its special-purpose
 * tables and IPv6 parser decide what is special).
 */
export function seededAddresses(lib, n, seed) {
  const r = rng(seed);
  const v4 = [];
  while (v4.length < n) {
    const x = Math.floor(r() * 2 ** 32);
    if (lib.specialIpv4(x) !== null) continue;
    v4.push(`${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`);
  }
  const v6 = [];
  const words = new Uint32Array(4);
  while (v6.length < n) {
    const g = [V6_TOPS[Math.floor(r() * V6_TOPS.length)]];
    for (let i = 0; i < 7; i++) g.push(Math.floor(r() * 65536));
    const text = g.map((x) => x.toString(16)).join(':');
    lib.parseIpv6(text, words);
    if (lib.specialIpv6(words) !== null) continue;
    v6.push(text);
  }
  return { v4, v6 };
}

#!/usr/bin/env node
// Generates a full-size delegated-stats set: five extended files (one per RIR)
// with the real files' mix of types, statuses and block sizes (REFERENCE A5/A9,
// 2026 counts scaled to the requested total). Records never overlap within a
// file. Deterministic for a given seed.
//
//   node test/bench/generate-delegated.mjs OUT_DIR [TOTAL=800000] [SEED=1]

import { mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { rng } from './seeded.mjs';

// Real 2026-09-28 counts per registry: [asn, ipv4, ipv6] and status mixes.
const MIX = {
  afrinic: { counts: [4350, 6091, 9345], v6Max: 48, holder: 'hex8', zz: true },
  apnic: { counts: [14762, 61684, 113822], v6Max: 64, holder: 'hex8' },
  arin: { counts: [32988, 80850, 89213], v6Max: 48, holder: 'hex32' },
  lacnic: { counts: [16515, 20804, 59982], v6Max: 48, holder: 'dec' },
  ripencc: { counts: [48682, 100877, 111234], v6Max: 48, holder: 'uuid' },
};
const V4_POOLS = {
  afrinic: [41, 102, 105, 154, 196, 197],
  apnic: [
    1, 14, 27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 103, 106, 110, 111, 112,
    113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 175,
    180, 182, 183, 202, 203, 210, 211, 218, 219, 220, 221, 222, 223,
  ],
  arin: [
    3, 4, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26,
    28, 29, 30, 32, 33, 34, 35, 38, 40, 44, 45, 47, 48, 50, 52, 53, 54, 55, 56,
    57, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99,
    104, 107, 108, 128, 129, 130, 131, 132, 134, 135, 136, 137, 138, 139, 140,
    142, 143, 144, 146, 147, 148, 149, 152, 155, 156, 157, 158, 159, 160, 161,
    162, 164, 165, 166, 167, 168, 169, 170, 172, 173, 174, 184, 192, 198, 199,
    204, 205, 206, 207, 208, 209, 216,
  ],
  lacnic: [177, 179, 181, 186, 187, 189, 190, 191, 200, 201],
  ripencc: [
    2, 5, 25, 31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
    89, 90, 91, 92, 93, 94, 95, 109, 141, 145, 151, 176, 178, 185, 188, 193,
    194, 195, 212, 213, 217,
  ],
};
const V6_BASE = {
  afrinic: 0x2c00,
  apnic: 0x2400,
  arin: 0x2600,
  lacnic: 0x2800,
  ripencc: 0x2a00,
};

const hex = (r, n) =>
  Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
function holderOf(r, kind) {
  if (kind === 'hex8') return hex(r, 8).toUpperCase();
  if (kind === 'hex32') return hex(r, 32);
  if (kind === 'dec') return String(1 + Math.floor(r() * 300000));
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-8${hex(r, 3)}-${hex(r, 12)}`;
}
function dateOf(r) {
  const y = 1985 + Math.floor(r() * 41);
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}
const v4 = (n) =>
  `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export async function generate(outDir, total = 800000, seed = 1) {
  mkdirSync(outDir, { recursive: true });
  const r = rng(seed);
  const realTotal = Object.values(MIX).reduce(
    (s, m) => s + m.counts[0] + m.counts[1] + m.counts[2],
    0,
  );
  const files = [];
  for (const [rir, mix] of Object.entries(MIX)) {
    const [na, n4, n6] = mix.counts.map((c) =>
      Math.round((c * total) / realTotal),
    );
    const name = `delegated-${rir}-extended-20260928`;
    const path = join(outDir, name);
    const out = createWriteStream(path);
    const write = async (s) => {
      if (!out.write(s)) await once(out, 'drain');
    };
    await write(
      `2.3|${rir}|20260928|${na + n4 + n6}|19700101|20260928|+0000\n`,
    );
    await write(
      `${rir}|*|asn|*|${na}|summary\n${rir}|*|ipv4|*|${n4}|summary\n${rir}|*|ipv6|*|${n6}|summary\n`,
    );
    const status = (pAvail, pRes) => {
      const x = r();
      return x < pAvail
        ? 'available'
        : x < pAvail + pRes
          ? 'reserved'
          : x < 0.8
            ? 'allocated'
            : 'assigned';
    };
    // Real files list several blocks per holder: draw holders from a pool.
    const pool = Array.from(
      { length: Math.max(1, Math.round((na + n4 + n6) / 6)) },
      () => holderOf(r, mix.holder),
    );
    const holder = () => pool[Math.floor(r() * pool.length)];
    const cc = () =>
      String.fromCharCode(65 + Math.floor(r() * 26), 65 + Math.floor(r() * 26));
    let buf = '';
    const line = async (type, start, value, st) => {
      const free = st === 'available' || st === 'reserved';
      buf += `${rir}|${free ? (mix.zz ? 'ZZ' : '') : cc()}|${type}|${start}|${value}|${free ? '' : dateOf(r)}|${st}|${free ? '' : holder()}\n`;
      if (buf.length > 1 << 16) {
        await write(buf);
        buf = '';
      }
    };
    // IPv4: sequential non-overlapping blocks through the registry's /8 pools.
    const pools = V4_POOLS[rir];
    const span = pools.length * 2 ** 24;
    const avg = span / n4;
    let off = 0;
    for (let i = 0; i < n4; i++) {
      let size =
        2 **
        (8 + Math.floor(r() * Math.max(1, Math.min(10, Math.log2(avg) - 7))));
      if (r() < 0.03) size = Math.max(256, Math.floor(size * (1 + r())) & ~255); // not a power of two
      if (off + size > span) size = Math.max(1, span - off);
      if (size <= 0) break;
      const p = pools[Math.floor(off / 2 ** 24)];
      const start = p * 2 ** 24 + (off % 2 ** 24);
      if ((off % 2 ** 24) + size > 2 ** 24) {
        off = (Math.floor(off / 2 ** 24) + 1) * 2 ** 24;
        i--;
        if (off >= span) break;
        continue;
      }
      await line('ipv4', v4(start), size, status(0.001, 0.01));
      off += size + (r() < 0.2 ? 256 * Math.floor(r() * 4) : 0);
    }
    // IPv6: sequential aligned prefixes inside the registry's /12.
    let cursor = 0n; // in units of /64 inside the /12
    const base = BigInt(V6_BASE[rir]) << 112n;
    for (let i = 0; i < n6; i++) {
      const len = 29 + Math.floor(r() * (mix.v6Max - 28));
      const unit = 1n << BigInt(64 - len);
      cursor = ((cursor + unit - 1n) / unit) * unit;
      const addr = base + (cursor << 64n);
      const g = [];
      for (let k = 7; k >= 0; k--)
        g.push(((addr >> BigInt(k * 16)) & 0xffffn).toString(16));
      await line(
        'ipv6',
        `${g.slice(0, 4).join(':')}::`,
        len,
        status(0.45, 0.2),
      );
      cursor += unit;
    }
    // ASNs: sequential, mostly single, some ranges.
    let asn = {
      afrinic: 36864,
      apnic: 131072,
      arin: 393216,
      lacnic: 262144,
      ripencc: 196608,
    }[rir];
    for (let i = 0; i < na; i++) {
      const count = r() < 0.03 ? 2 + Math.floor(r() * 50) : 1;
      await line('asn', String(asn), count, status(0.05, 0.03));
      asn += count + (r() < 0.1 ? 1 : 0);
    }
    await write(buf);
    out.end();
    await once(out, 'finish');
    files.push(path);
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outDir, total = '800000', seed = '1'] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: generate-delegated.mjs OUT_DIR [TOTAL] [SEED]');
    process.exit(2);
  }
  const files = await generate(outDir, Number(total), Number(seed));
  console.log(files.join('\n'));
}

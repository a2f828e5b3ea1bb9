import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDelegated } from '../../src/delegated/parse-delegated.js';
import type {
  DelegatedFileSummary,
  DelegatedRecord,
} from '../../src/delegated/delegated-record.js';
import { DelegatedFileError, SourceError } from '../../src/errors.js';
import { openSource, readHeaderOnly } from '../../src/io/read-source.js';
import type { LoadWarning } from '../../src/types.js';

// The real RIR files in ../shared/data/rir. Every expected number below is
// copied from shared/data/SOURCES.md (sections 1 to 3), which was measured with
// other tools; the spot-check lines were read with `zcat | sed -n <line>p`.

const shared = (rel: string): string =>
  fileURLToPath(new URL(`../../../shared/data/${rel}`, import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/delegated/${name}`, import.meta.url));

interface Facts {
  /** Path under shared/data. */
  file: string;
  /** Version line, verbatim (SOURCES §1). */
  header: string;
  /** sha256 of the uncompressed content, and of the .gz as stored (SOURCES §2). */
  sha256: string;
  sha256Stored: string;
  /** The rest is SOURCES §3, verbatim. */
  lines: number;
  headerLine: number;
  fields: string;
  summary: string;
  actual: string;
  typeStatus: string;
  cc: string;
  blankDate: string;
  zeroDate: string;
  notPowerOfTwo: number;
  misaligned: number;
  asnRanges: number;
  v6Lengths: [number, number];
}

const FACTS: readonly Facts[] = [
  {
    file: 'rir/delegated-afrinic-extended-20260505.gz',
    header: '2|afrinic|20260505|19286|00000000|20260505|00000',
    sha256: '977bc1edaf95c0d14e22dba15350bac1d80a4bfa5bef4bce5f54f152ef811df4',
    sha256Stored:
      '84f2a7fb0771bd6fda8ea37fb444c0eb2f36f9610205901289303737ae017719',
    lines: 19290,
    headerLine: 1,
    fields: '8=19286',
    summary: 'asn=4350, ipv4=5958, ipv6=8978',
    actual: 'asn=4350, ipv4=5958, ipv6=8978',
    typeStatus:
      'asn/allocated=2722, asn/available=1201, asn/reserved=427, ipv4/allocated=3765, ipv4/assigned=1632, ipv4/available=15, ipv4/reserved=546, ipv6/allocated=1238, ipv6/assigned=376, ipv6/available=4349, ipv6/reserved=3015',
    cc: 'ZZ/available=5565, ZZ/reserved=3988',
    blankDate:
      'asn/available=1201, asn/reserved=427, ipv4/available=15, ipv4/reserved=546, ipv6/available=4349, ipv6/reserved=3015',
    zeroDate: '-',
    notPowerOfTwo: 39,
    misaligned: 13,
    asnRanges: 0,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/delegated-afrinic-extended-20230323.gz',
    header: '2|afrinic|20230323|15019|00000000|20230323|00000',
    sha256: '77049f32b3e83323dd19e2cda6bce73f536556c207e3afa849dd658b0538d093',
    sha256Stored:
      'fa1ae336e7387fe4baba42f35933c244e88823ceca21b87310d263d1453e781e',
    lines: 15023,
    headerLine: 1,
    fields: '8=15019',
    summary: 'asn=3326, ipv4=5089, ipv6=6604',
    actual: 'asn=3326, ipv4=5089, ipv6=6604',
    typeStatus:
      'asn/allocated=2272, asn/available=697, asn/reserved=357, ipv4/allocated=3135, ipv4/assigned=1486, ipv4/available=20, ipv4/reserved=448, ipv6/allocated=956, ipv6/assigned=312, ipv6/available=2359, ipv6/reserved=2977',
    cc: 'ZZ/available=3076, ZZ/reserved=3782',
    blankDate:
      'asn/available=697, asn/reserved=357, ipv4/available=20, ipv4/reserved=448, ipv6/available=2359, ipv6/reserved=2977',
    zeroDate: '-',
    notPowerOfTwo: 41,
    misaligned: 16,
    asnRanges: 0,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/delegated-afrinic-extended-20181013.gz',
    header: '2|afrinic|20181013|9373|00000000|20181013|00000',
    sha256: '1cadc7d92b157a9ec663cfa9d1bc1eb8baafa8896a96d4983df6dbc03b46d2b5',
    sha256Stored:
      '9360b64d59ec46728eb8fc8cfe88dd8b5eec6babf1d40dc40ee5b34f75fdf704',
    lines: 9377,
    headerLine: 1,
    fields: '8=9373',
    summary: 'asn=2302, ipv4=3759, ipv6=3312',
    actual: 'asn=2302, ipv4=3759, ipv6=3312',
    typeStatus:
      'asn/allocated=1664, asn/available=470, asn/reserved=168, ipv4/allocated=2209, ipv4/assigned=1297, ipv4/available=125, ipv4/reserved=128, ipv6/allocated=583, ipv6/assigned=228, ipv6/available=74, ipv6/reserved=2427',
    cc: 'ZZ/available=669, ZZ/reserved=2723',
    blankDate:
      'asn/available=470, asn/reserved=168, ipv4/available=125, ipv4/reserved=128, ipv6/available=74, ipv6/reserved=2427',
    zeroDate: '-',
    notPowerOfTwo: 51,
    misaligned: 18,
    asnRanges: 0,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/delegated-lacnic-extended-20230323.gz',
    header: '2.3|lacnic|20230323|86237|19870101|20230322|-0300',
    sha256: '673c0a7cc76a669ff025f16e3137ca06f0499e309fd01db15023af82fc8a65a4',
    sha256Stored:
      'f8271ce3f5e5a2b789b5dbfad5a9c61542a848451c548f59a28aae258f938d28',
    lines: 86241,
    headerLine: 1,
    fields: '7=27006, 8=59231',
    summary: 'ipv4=19618, ipv6=52498, asn=14121',
    actual: 'ipv4=19618, ipv6=52498, asn=14121',
    typeStatus:
      'asn/allocated=12916, asn/available=400, asn/reserved=805, ipv4/allocated=16551, ipv4/assigned=2538, ipv4/available=4, ipv4/reserved=525, ipv6/allocated=10882, ipv6/assigned=1420, ipv6/available=26602, ipv6/reserved=13594',
    cc: '<blank>/available=27006, <blank>/reserved=14924',
    blankDate:
      'asn/available=400, asn/reserved=805, ipv4/available=4, ipv4/reserved=525, ipv6/available=26602, ipv6/reserved=13594',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 34,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/delegated-lacnic-extended-20210405.gz',
    header: '2.3|lacnic|20210405|79330|19870101|20210405|-0300',
    sha256: '8fb3c75c3b3eb98ddcb5d18489762dfcfe7e62f7843627eb10c77f7047520d2d',
    sha256Stored:
      'ca968324067ac66b338f7b26594ebebf2f2a086fffe100f55d0bf3ef045f6f3f',
    lines: 79334,
    headerLine: 1,
    fields: '7=24968, 8=54362',
    summary: 'ipv4=19044, ipv6=47438, asn=12848',
    actual: 'ipv4=19044, ipv6=47438, asn=12848',
    typeStatus:
      'asn/allocated=12184, asn/available=355, asn/reserved=309, ipv4/allocated=15975, ipv4/assigned=2533, ipv4/reserved=536, ipv6/allocated=10229, ipv6/assigned=1306, ipv6/available=24613, ipv6/reserved=11290',
    cc: '<blank>/available=24968, <blank>/reserved=12135',
    blankDate:
      'asn/available=355, asn/reserved=309, ipv4/reserved=536, ipv6/available=24613, ipv6/reserved=11290',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 27,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/delegated-lacnic-extended-20181012.gz',
    header: '2.3|lacnic|20181012|57841|19870101|20181012|-0300',
    sha256: '29f02a4b23d3aae1f1fbf0112fc35dd34b368c0397b0d214082bef04d6a4f131',
    sha256Stored:
      '4380118210665bb60b3035a01aec6b31c2a095028e17d0ddb630dc6fba6c1d97',
    lines: 57845,
    headerLine: 1,
    fields: '7=17714, 8=40127',
    summary: 'ipv4=15594, ipv6=33066, asn=9181',
    actual: 'ipv4=15594, ipv6=33066, asn=9181',
    typeStatus:
      'asn/allocated=8786, asn/available=214, asn/reserved=181, ipv4/allocated=12822, ipv4/assigned=2360, ipv4/available=9, ipv4/reserved=403, ipv6/allocated=6893, ipv6/assigned=992, ipv6/available=17491, ipv6/reserved=7690',
    cc: '<blank>/available=17714, <blank>/reserved=8274',
    blankDate:
      'asn/available=214, asn/reserved=181, ipv4/available=9, ipv4/reserved=403, ipv6/available=17491, ipv6/reserved=7690',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 19,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/delegated-apnic-extended-20160131.gz',
    header: '2.3|apnic|20160131|73407||20160130|+1000',
    sha256: 'e9bd38d82c5077de6c49d09ab8eb4258d75a54d46466146a6ffddd1d7655d502',
    sha256Stored:
      '00a8b49bd94e49efbc678d98286b1ada42e6765f2c77cde0d907e3b0eedf9268',
    lines: 73438,
    headerLine: 28,
    fields: '8=73407',
    summary: 'asn=7283, ipv4=33141, ipv6=32983',
    actual: 'ipv4=33141, ipv6=32983, asn=7283',
    typeStatus:
      'asn/allocated=6683, asn/available=600, ipv4/allocated=22340, ipv4/assigned=9965, ipv4/available=103, ipv4/reserved=733, ipv6/allocated=3387, ipv6/assigned=1096, ipv6/available=28145, ipv6/reserved=355',
    cc: '<blank>/available=28848, <blank>/reserved=1088, AP/allocated=10, AP/assigned=1',
    blankDate:
      'asn/available=600, ipv4/available=103, ipv4/reserved=733, ipv6/available=28145, ipv6/reserved=355',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 364,
    v6Lengths: [17, 64],
  },
  {
    file: 'rir/delegated-apnic-extended-20160225.gz',
    header: '2.3|apnic|20160225|74492||20160224|+1000',
    sha256: 'c298abbb3c36c78d24b6ad60258b6e57cd6565c178ce5ae8c0ab93d79dcc2c7a',
    sha256Stored:
      '10b768f2f16e3942dadfca865d3502d9d65d899f3e2bfb7cea50f88e24eb9bda',
    lines: 74523,
    headerLine: 28,
    fields: '8=74492',
    summary: 'asn=7346, ipv4=33638, ipv6=33508',
    actual: 'ipv4=33638, ipv6=33508, asn=7346',
    typeStatus:
      'asn/allocated=6743, asn/available=603, ipv4/allocated=22724, ipv4/assigned=10075, ipv4/available=101, ipv4/reserved=738, ipv6/allocated=3421, ipv6/assigned=1126, ipv6/available=28601, ipv6/reserved=360',
    cc: '<blank>/available=29305, <blank>/reserved=1098, AP/allocated=10, AP/assigned=1',
    blankDate:
      'asn/available=603, ipv4/available=101, ipv4/reserved=738, ipv6/available=28601, ipv6/reserved=360',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 368,
    v6Lengths: [17, 64],
  },
  {
    file: 'rir/delegated-apnic-20190912.gz',
    header: '2|apnic|20190912|62210|19830613|20190911|+1000',
    sha256: '99b5e60535740446991464b6d6eebb14cdcd241367c297dfcc065ebf2013cff1',
    sha256Stored:
      '98d1f9317f9dcd865da2616a5e8bc028d5ecccecb87bee431a2603661eaf7fb5',
    lines: 62241,
    headerLine: 28,
    fields: '7=62210',
    summary: 'asn=9493, ipv4=43156, ipv6=9561',
    actual: 'asn=9493, ipv4=43156, ipv6=9561',
    typeStatus:
      'asn/allocated=9493, ipv4/allocated=30371, ipv4/assigned=12785, ipv6/allocated=6709, ipv6/assigned=2852',
    cc: 'AP/allocated=4',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 349,
    v6Lengths: [19, 64],
  },
  {
    file: 'rir/delegated-apnic-20141009.gz',
    header: '2|apnic|20141009|35407|19850701|20141008|+1000',
    sha256: '03eee80fe4adbc4cc242643813703f822f822eb55ed9ac12f486e42637f803eb',
    sha256Stored:
      '0d7c19873eb08957666c8f43aaab23739cfe33f7399f8f9b695a01adb79599b9',
    lines: 35438,
    headerLine: 28,
    fields: '7=35407',
    summary: 'asn=5865, ipv4=25898, ipv6=3644',
    actual: 'asn=5865, ipv4=25898, ipv6=3644',
    typeStatus:
      'asn/allocated=5865, ipv4/allocated=17416, ipv4/assigned=8482, ipv6/allocated=2781, ipv6/assigned=863',
    cc: 'AP/allocated=5',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 263,
    v6Lengths: [20, 64],
  },
  {
    file: 'rir/delegated-lacnic-20190910.gz',
    header: '2|lacnic|20190910|35932|19870101|20190910|-0300',
    sha256: 'a1e0a2c0537b0f353773bf9fa5cfc33894d8ce051f0487953da7543b6d4dd1e8',
    sha256Stored:
      '823ab6cb621f306745f61cdb6dc96274d4fdbcd3e7ad5d6c6f200465046edfaa',
    lines: 35723,
    headerLine: 1,
    fields: '7=35719',
    summary: 'ipv4=16510, ipv6=9225, asn=10197',
    actual: 'ipv4=16510, ipv6=9225, asn=9984',
    typeStatus:
      'asn/allocated=9984, ipv4/allocated=14083, ipv4/assigned=2427, ipv6/allocated=8127, ipv6/assigned=1098',
    cc: '-',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 0,
    v6Lengths: [20, 48],
  },
  {
    file: 'rir/delegated-afrinic-20190911.gz',
    header: '2|afrinic|20190911|6335|00000000|20190911|00000',
    sha256: 'e877b878234d2dcf786ae87055065bc01bf4ae6d26f23666ceee9f5787d197aa',
    sha256Stored:
      'af5c7c1f28d123544d929b30f98580ad75726ce7991ba526370d187ca0c9d203',
    lines: 6339,
    headerLine: 1,
    fields: '7=6335',
    summary: 'asn=1780, ipv4=3667, ipv6=888',
    actual: 'asn=1780, ipv4=3667, ipv6=888',
    typeStatus:
      'asn/allocated=1780, ipv4/allocated=2331, ipv4/assigned=1336, ipv6/allocated=648, ipv6/assigned=240',
    cc: '-',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 51,
    misaligned: 18,
    asnRanges: 0,
    v6Lengths: [20, 48],
  },
  {
    file: 'rir/delegated-arin-20130813.gz',
    header: '2|arin|20130813|72419|00000000|20130812|-0400',
    sha256: '3a3db2beab2af17b97807120d1cf76113efa4b37560f1696756d829c37ff7173',
    sha256Stored:
      '0566b9da39cc98d8fa567121a32c6cbd51ad062affff841d86c6674478ebfa27',
    lines: 72423,
    headerLine: 1,
    fields: '7=72419',
    summary: 'asn=22263, ipv4=46593, ipv6=3563',
    actual: 'asn=22263, ipv4=46593, ipv6=3563',
    typeStatus:
      'asn/allocated=22263, ipv4/allocated=15341, ipv4/assigned=31252, ipv6/allocated=2165, ipv6/assigned=1398',
    cc: '-',
    blankDate: '-',
    zeroDate: 'asn/allocated=130',
    notPowerOfTwo: 2221,
    misaligned: 651,
    asnRanges: 132,
    v6Lengths: [22, 48],
  },
  {
    file: 'rir/delegated-ripencc-20140520.gz',
    header: '2|ripencc|1400623199|85536|19830705|20140520|+0200',
    sha256: '05521d634a0308f1be55911370680b11f9314416bbbc7dfb2b08f7bead957318',
    sha256Stored:
      '34f34144a4a471669fa4705db6fe108e62f9d0c1c4e6a9d9c0dcd99a256f9a8a',
    lines: 85540,
    headerLine: 1,
    fields: '7=85536',
    summary: 'ipv4=50046, asn=26362, ipv6=9128',
    actual: 'ipv4=50046, asn=26362, ipv6=9128',
    typeStatus:
      'asn/allocated=26362, ipv4/allocated=22934, ipv4/assigned=27112, ipv6/allocated=7367, ipv6/assigned=1761',
    cc: 'EU/allocated=1043, EU/assigned=122',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 580,
    misaligned: 173,
    asnRanges: 0,
    v6Lengths: [19, 48],
  },
  {
    file: 'rir/delegated-iana-20170730.gz',
    header: '2|iana|20170730|2804|19830101|20170722|+0000',
    sha256: 'ab922bfd9a5d5c841379e89c0d8de75cbfcca3a47ad99de31b51a2c33b1b1e42',
    sha256Stored:
      'a65bec131a9b809baacf255c5e8d9ec269c37ad762a14186e82bcc52ed143ecf',
    lines: 2837,
    headerLine: 30,
    fields: '7=2729, 8=75',
    summary: 'asn=2308, ipv4=439, ipv6=57',
    actual: 'asn=2308, ipv4=439, ipv6=57',
    typeStatus:
      'asn/afrinic=196, asn/apnic=119, asn/arin=1043, asn/lacnic=685, asn/reserved=9, asn/ripencc=256, ipv4/afrinic=6, ipv4/apnic=66, ipv4/arin=257, ipv4/iana=14, ipv4/lacnic=10, ipv4/reserved=45, ipv4/ripencc=41, ipv6/afrinic=2, ipv6/apnic=8, ipv6/arin=6, ipv6/iana=1, ipv6/lacnic=2, ipv6/reserved=21, ipv6/ripencc=17',
    cc: 'ZZ/afrinic=204, ZZ/apnic=193, ZZ/arin=1306, ZZ/iana=15, ZZ/lacnic=697, ZZ/reserved=75, ZZ/ripencc=314',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 1200,
    v6Lengths: [3, 23],
  },
  {
    file: 'rir/defective/delegated-afrinic-extended-latest.gz',
    header: '2|afrinic|20181013|9373|00000000|20181013|00000',
    sha256: 'e60d665f0480a8b9845fdfc988d4cc8027f2a687c80ea70c2f2441b0dd1f8001',
    sha256Stored:
      'dfedf43e0bcf5bfc23f3a178101acd62339ec4cdfad777832a507285534fe107',
    lines: 16808,
    headerLine: 1,
    fields: '2=1, 8=16803',
    summary: 'asn=2302, ipv4=3759, ipv6=3312',
    actual: 'asn=2302, ipv4=3759, ipv6=10742',
    typeStatus:
      'asn/allocated=1664, asn/available=470, asn/reserved=168, ipv4/allocated=2209, ipv4/assigned=1297, ipv4/available=125, ipv4/reserved=128, ipv6/allocated=1612, ipv6/assigned=558, ipv6/available=3280, ipv6/reserved=5292',
    cc: 'ZZ/available=3875, ZZ/reserved=5588',
    blankDate:
      'asn/available=470, asn/reserved=168, ipv4/available=125, ipv4/reserved=128, ipv6/available=3280, ipv6/reserved=5292',
    zeroDate: '-',
    notPowerOfTwo: 51,
    misaligned: 18,
    asnRanges: 0,
    v6Lengths: [13, 48],
  },
  {
    file: 'rir/defective/delegated-iana-latest.gz',
    header: '2|iana|20190911|973|19830101|20190612|+0000',
    sha256: '19ca6af8270424564d08ea1c2ef5abcb86acde1c47aa50abbde4b7044ee4eeb2',
    sha256Stored:
      'a07113b0649fbade139c34ec26f2a9c9c55ea56cc20d45d20d589f5cb312b8fb',
    lines: 2564,
    headerLine: 30,
    fields: '4=1, 7=2530',
    summary: 'asn=133, ipv4=781, ipv6=59',
    actual: 'asn=1194, ipv4=1220, ipv6=116',
    typeStatus:
      'asn/afrinic=131, asn/apnic=43, asn/arin=479, asn/ietf=17, asn/lacnic=370, asn/ripencc=154, ipv4/afrinic=55, ipv4/apnic=203, ipv4/arin=664, ipv4/iana=16, ipv4/ietf=90, ipv4/lacnic=69, ipv4/ripencc=123, ipv6/afrinic=4, ipv6/apnic=16, ipv6/arin=12, ipv6/iana=2, ipv6/ietf=42, ipv6/lacnic=4, ipv6/ripencc=36',
    cc: 'ZZ/afrinic=190, ZZ/apnic=262, ZZ/arin=1155, ZZ/iana=18, ZZ/ietf=149, ZZ/lacnic=443, ZZ/ripencc=313',
    blankDate: '-',
    zeroDate: '-',
    notPowerOfTwo: 132,
    misaligned: 5,
    asnRanges: 703,
    v6Lengths: [3, 23],
  },
];

// ---------------------------------------------------------------------------
// Spot checks: whole lines read with zcat, turned into records by hand.

const v4 = (text: string): number =>
  text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

interface Spot {
  line: number;
  registry: string;
  country: string;
  type: string;
  first: number;
  last: number;
  v6: number[];
  prefixLength: number;
  date: number;
  status: string;
  opaqueId: string;
  hasOpaqueField: boolean;
}

const snap = (r: DelegatedRecord): Spot => ({
  line: r.line,
  registry: r.registry,
  country: r.country,
  type: r.type,
  first: r.first,
  last: r.last,
  v6: Array.from(r.v6),
  prefixLength: r.prefixLength,
  date: r.date,
  status: r.status,
  opaqueId: r.opaqueId,
  hasOpaqueField: r.hasOpaqueField,
});

type Tail = [
  date: number,
  status: string,
  opaqueId?: string,
  hasOpaqueField?: boolean,
];
const tail = ([
  date,
  status,
  opaqueId = '',
  hasOpaqueField = opaqueId !== '',
]: Tail) => ({
  date,
  status,
  opaqueId,
  hasOpaqueField,
});
const ip4 = (
  line: number,
  registry: string,
  cc: string,
  start: string,
  end: string,
  ...t: Tail
): Spot => ({
  line,
  registry,
  country: cc,
  type: 'ipv4',
  first: v4(start),
  last: v4(end),
  v6: [0, 0, 0, 0],
  prefixLength: 0,
  ...tail(t),
});
const asn = (
  line: number,
  registry: string,
  cc: string,
  first: number,
  last: number,
  ...t: Tail
): Spot => ({
  line,
  registry,
  country: cc,
  type: 'asn',
  first,
  last,
  v6: [0, 0, 0, 0],
  prefixLength: 0,
  ...tail(t),
});
const ip6 = (
  line: number,
  registry: string,
  cc: string,
  word0: number,
  word1: number,
  len: number,
  ...t: Tail
): Spot => ({
  line,
  registry,
  country: cc,
  type: 'ipv6',
  first: 0,
  last: 0,
  v6: [word0, word1, 0, 0],
  prefixLength: len,
  ...tail(t),
});

const SPOTS: Record<string, Spot[]> = {
  'rir/delegated-afrinic-extended-20260505.gz': [
    // afrinic|ZA|asn|1228|1|19910301|allocated|F36B9F4B
    asn(5, 'afrinic', 'ZA', 1228, 1228, 19910301, 'allocated', 'F36B9F4B'),
    // afrinic|ZA|ipv4|164.146.0.0|393216|19930312|allocated|F363E51A  (6 x /16, not a power of two)
    ip4(
      7234,
      'afrinic',
      'ZA',
      '164.146.0.0',
      '164.151.255.255',
      19930312,
      'allocated',
      'F363E51A',
    ),
    // afrinic|ZA|ipv4|198.54.67.0|256|19930505|assigned|F36B69F4
    ip4(
      9645,
      'afrinic',
      'ZA',
      '198.54.67.0',
      '198.54.67.255',
      19930505,
      'assigned',
      'F36B69F4',
    ),
    // afrinic|ZZ|ipv6|2c0f:fff8::|29||reserved|
    ip6(19290, 'afrinic', 'ZZ', 0x2c0ffff8, 0, 29, 0, 'reserved', '', true),
  ],
  'rir/delegated-afrinic-extended-20230323.gz': [
    asn(5, 'afrinic', 'ZA', 1228, 1228, 19910301, 'allocated', 'F36B9F4B'),
    // afrinic|GN|ipv4|196.41.90.0|256|20161123|assigned|F3665C2B
    ip4(
      7512,
      'afrinic',
      'GN',
      '196.41.90.0',
      '196.41.90.255',
      20161123,
      'assigned',
      'F3665C2B',
    ),
    ip6(15023, 'afrinic', 'ZZ', 0x2c0ffff8, 0, 29, 0, 'reserved', '', true),
  ],
  'rir/delegated-afrinic-extended-20181013.gz': [
    asn(5, 'afrinic', 'ZA', 1228, 1228, 19910301, 'allocated', 'F36B9F4B'),
    // afrinic|ZA|ipv4|192.96.1.0|256|19930322|assigned|F363E23B
    ip4(
      4689,
      'afrinic',
      'ZA',
      '192.96.1.0',
      '192.96.1.255',
      19930322,
      'assigned',
      'F363E23B',
    ),
    ip6(9377, 'afrinic', 'ZZ', 0x2c0ffff8, 0, 29, 0, 'reserved', '', true),
  ],
  'rir/delegated-lacnic-extended-20230323.gz': [
    // lacnic|BR|ipv4|24.152.0.0|1024|20200310|allocated|310248
    ip4(
      5,
      'lacnic',
      'BR',
      '24.152.0.0',
      '24.152.3.255',
      20200310,
      'allocated',
      '310248',
    ),
    // lacnic||ipv4|177.39.96.0|1024||available  (7 fields)
    ip4(9036, 'lacnic', '', '177.39.96.0', '177.39.99.255', 0, 'available'),
    // lacnic||ipv6|2803:d6a8::|29||available
    ip6(43121, 'lacnic', '', 0x2803d6a8, 0, 29, 0, 'available'),
    // lacnic||asn|273717|104||available
    asn(86241, 'lacnic', '', 273717, 273820, 0, 'available'),
  ],
  'rir/delegated-lacnic-extended-20210405.gz': [
    ip4(
      5,
      'lacnic',
      'BR',
      '24.152.0.0',
      '24.152.3.255',
      20200310,
      'allocated',
      '310248',
    ),
    // lacnic||ipv6|2803:cfc1::|32||reserved|
    ip6(39667, 'lacnic', '', 0x2803cfc1, 0, 32, 0, 'reserved', '', true),
    // lacnic||asn|271898|899||available
    asn(79334, 'lacnic', '', 271898, 272796, 0, 'available'),
  ],
  'rir/delegated-lacnic-extended-20181012.gz': [
    // lacnic||ipv4|24.152.0.0|32768||reserved|
    ip4(
      5,
      'lacnic',
      '',
      '24.152.0.0',
      '24.152.127.255',
      0,
      'reserved',
      '',
      true,
    ),
    // lacnic||ipv6|2803:9ba0::|27||available
    ip6(28923, 'lacnic', '', 0x28039ba0, 0, 27, 0, 'available'),
    // lacnic||asn|268629|72||available
    asn(57845, 'lacnic', '', 268629, 268700, 0, 'available'),
  ],
  'rir/delegated-apnic-extended-20160131.gz': [
    // apnic|AU|ipv4|1.0.0.0|256|20110811|assigned|A91872ED
    ip4(
      32,
      'apnic',
      'AU',
      '1.0.0.0',
      '1.0.0.255',
      20110811,
      'assigned',
      'A91872ED',
    ),
    // apnic|AP|ipv4|202.189.130.0|512|20010910|allocated|A915C62B
    ip4(
      25067,
      'apnic',
      'AP',
      '202.189.130.0',
      '202.189.131.255',
      20010910,
      'allocated',
      'A915C62B',
    ),
    // apnic|IN|ipv6|2001:df2:8800::|48|20140130|assigned|A9293162
    ip6(
      36733,
      'apnic',
      'IN',
      0x20010df2,
      0x88000000,
      48,
      20140130,
      'assigned',
      'A9293162',
    ),
    // apnic|JP|asn|2497|32|20020405|allocated|A91A7381
    asn(66170, 'apnic', 'JP', 2497, 2528, 20020405, 'allocated', 'A91A7381'),
    // apnic||asn|135062|519||available|
    asn(73438, 'apnic', '', 135062, 135580, 0, 'available', '', true),
  ],
  'rir/delegated-apnic-extended-20160225.gz': [
    ip4(
      32,
      'apnic',
      'AU',
      '1.0.0.0',
      '1.0.0.255',
      20110811,
      'assigned',
      'A91872ED',
    ),
    // apnic||ipv6|2001:df2:3a00::|39||available|
    ip6(
      37275,
      'apnic',
      '',
      0x20010df2,
      0x3a000000,
      39,
      0,
      'available',
      '',
      true,
    ),
    // apnic||asn|135126|455||available|
    asn(74523, 'apnic', '', 135126, 135580, 0, 'available', '', true),
  ],
  'rir/delegated-apnic-20190912.gz': [
    // apnic|JP|asn|173|1|20020801|allocated
    asn(32, 'apnic', 'JP', 173, 173, 20020801, 'allocated'),
    // apnic|IN|ipv4|103.255.158.0|512|20140101|assigned
    ip4(
      31134,
      'apnic',
      'IN',
      '103.255.158.0',
      '103.255.159.255',
      20140101,
      'assigned',
    ),
    // apnic|CN|ipv6|240f:8000::|24|20150427|allocated
    ip6(62241, 'apnic', 'CN', 0x240f8000, 0, 24, 20150427, 'allocated'),
  ],
  'rir/delegated-apnic-20141009.gz': [
    asn(32, 'apnic', 'JP', 173, 173, 20020801, 'allocated'),
    // apnic|IN|ipv4|155.35.46.0|512|19920204|allocated
    ip4(
      17733,
      'apnic',
      'IN',
      '155.35.46.0',
      '155.35.47.255',
      19920204,
      'allocated',
    ),
    // apnic|JP|ipv6|240f::|24|20101224|allocated
    ip6(35438, 'apnic', 'JP', 0x240f0000, 0, 24, 20101224, 'allocated'),
  ],
  'rir/delegated-lacnic-20190910.gz': [
    // lacnic|AR|ipv4|24.232.0.0|65536|19970602|allocated
    ip4(
      5,
      'lacnic',
      'AR',
      '24.232.0.0',
      '24.232.255.255',
      19970602,
      'allocated',
    ),
    // lacnic|AR|ipv6|2803:b20::|32|20180220|allocated
    ip6(17862, 'lacnic', 'AR', 0x28030b20, 0, 32, 20180220, 'allocated'),
    // lacnic|VE|asn|269775|1|20190910|allocated
    asn(35723, 'lacnic', 'VE', 269775, 269775, 20190910, 'allocated'),
  ],
  'rir/delegated-afrinic-20190911.gz': [
    asn(5, 'afrinic', 'ZA', 1228, 1228, 19910301, 'allocated'),
    // afrinic|LY|ipv4|154.73.52.0|1024|20140422|allocated
    ip4(
      3170,
      'afrinic',
      'LY',
      '154.73.52.0',
      '154.73.55.255',
      20140422,
      'allocated',
    ),
    // afrinic|NG|ipv6|2c0f:fff0::|32|20110307|allocated
    ip6(6339, 'afrinic', 'NG', 0x2c0ffff0, 0, 32, 20110307, 'allocated'),
  ],
  'rir/delegated-arin-20130813.gz': [
    // arin|US|asn|1|1|20010920|allocated
    asn(5, 'arin', 'US', 1, 1, 20010920, 'allocated'),
    // arin|US|asn|3|1|00000000|allocated
    asn(7, 'arin', 'US', 3, 3, 0, 'allocated'),
    // arin|US|ipv4|23.32.0.0|2359296|20110516|allocated  (36 x /16)
    ip4(
      22307,
      'arin',
      'US',
      '23.32.0.0',
      '23.67.255.255',
      20110516,
      'allocated',
    ),
    // arin|US|ipv4|192.48.221.0|256|19890306|assigned
    ip4(
      36212,
      'arin',
      'US',
      '192.48.221.0',
      '192.48.221.255',
      19890306,
      'assigned',
    ),
    // arin|US|ipv6|2620:1f0::|32|20120406|assigned
    ip6(72423, 'arin', 'US', 0x262001f0, 0, 32, 20120406, 'assigned'),
  ],
  'rir/delegated-ripencc-20140520.gz': [
    // ripencc|FR|ipv4|2.0.0.0|1048576|20100712|allocated
    ip4(5, 'ripencc', 'FR', '2.0.0.0', '2.15.255.255', 20100712, 'allocated'),
    // ripencc|GB|ipv4|25.0.0.0|16777216|19950101|assigned
    ip4(
      22939,
      'ripencc',
      'GB',
      '25.0.0.0',
      '25.255.255.255',
      19950101,
      'assigned',
    ),
    // ripencc|UA|ipv4|194.24.190.0|512|20060720|assigned
    ip4(
      42770,
      'ripencc',
      'UA',
      '194.24.190.0',
      '194.24.191.255',
      20060720,
      'assigned',
    ),
    // ripencc|EU|ipv6|2001:600::|32|19990826|allocated
    ip6(76413, 'ripencc', 'EU', 0x20010600, 0, 32, 19990826, 'allocated'),
    // ripencc|SE|ipv6|2001:7fe::|32|20030916|assigned
    ip6(85540, 'ripencc', 'SE', 0x200107fe, 0, 32, 20030916, 'assigned'),
  ],
  'rir/delegated-iana-20170730.gz': [
    // iana|ZZ|asn|0|1|19920101|reserved|ietf
    asn(34, 'iana', 'ZZ', 0, 0, 19920101, 'reserved', 'ietf'),
    // iana|ZZ|asn|1|6|19920101|arin
    asn(35, 'iana', 'ZZ', 1, 6, 19920101, 'arin'),
    // iana|ZZ|asn|15805|20|20000501|ripencc
    asn(1433, 'iana', 'ZZ', 15805, 15824, 20000501, 'ripencc'),
    // iana|ZZ|ipv4|1.0.0.0|16777216|20100119|apnic
    ip4(2343, 'iana', 'ZZ', '1.0.0.0', '1.255.255.255', 20100119, 'apnic'),
    // iana|ZZ|ipv6|0100:0000::|8|19960801|reserved|ietf  (non-canonical text)
    ip6(2782, 'iana', 'ZZ', 0x01000000, 0, 8, 19960801, 'reserved', 'ietf'),
    // iana|ZZ|ipv6|ff00:0000::|8|19960801|reserved|ietf
    ip6(2837, 'iana', 'ZZ', 0xff000000, 0, 8, 19960801, 'reserved', 'ietf'),
  ],
  'rir/defective/delegated-afrinic-extended-latest.gz': [
    // afrinic|ZZ|ipv6|2c0f:fff8::|29||reserved|  (line 9377, the last before the fragment)
    ip6(9377, 'afrinic', 'ZZ', 0x2c0ffff8, 0, 29, 0, 'reserved', '', true),
    // afrinic|ZZ|ipv6|2001:4369::|32||reserved|  (line 9379, the first after it)
    ip6(9379, 'afrinic', 'ZZ', 0x20014369, 0, 32, 0, 'reserved', '', true),
  ],
  'rir/defective/delegated-iana-latest.gz': [
    // iana|ZZ|ipv6|ff00:0000::|8|19960801|ietf  (line 1006)
    ip6(1006, 'iana', 'ZZ', 0xff000000, 0, 8, 19960801, 'ietf'),
    // iana|ZZ|asn|14115|1|19990401|afrinic  (line 1008)
    asn(1008, 'iana', 'ZZ', 14115, 14115, 19990401, 'afrinic'),
  ],
  'rir/excerpts/delegated-arin-extended-20251016.head34.gz': [
    // arin|US|asn|3|1|00000000|assigned|d98c567cda2db06e693f2b574eafe848
    asn(
      7,
      'arin',
      'US',
      3,
      3,
      0,
      'assigned',
      'd98c567cda2db06e693f2b574eafe848',
    ),
    // arin|US|asn|32|1|19840924|assigned|9ddce2e252400db99f3c2f5dbfabf2d2
    asn(
      34,
      'arin',
      'US',
      32,
      32,
      19840924,
      'assigned',
      '9ddce2e252400db99f3c2f5dbfabf2d2',
    ),
  ],
  'rir/excerpts/delegated-ripencc-extended-20251022.head35.gz': [
    // ripencc|PS|ipv4|1.178.112.0|4096|20071126|allocated|f0f2a347-d82a-4419-8de6-65a1dfb03048
    ip4(
      5,
      'ripencc',
      'PS',
      '1.178.112.0',
      '1.178.127.255',
      20071126,
      'allocated',
      'f0f2a347-d82a-4419-8de6-65a1dfb03048',
    ),
    // ripencc|SE|ipv4|2.56.28.0|1024|20190313|allocated|369e20d0-dd34-460a-9b96-fc73e723ee8f
    ip4(
      35,
      'ripencc',
      'SE',
      '2.56.28.0',
      '2.56.31.255',
      20190313,
      'allocated',
      '369e20d0-dd34-460a-9b96-fc73e723ee8f',
    ),
  ],
};

// ---------------------------------------------------------------------------

/** `a=1, b/c=2` (or `-`) → map. */
function pairs(text: string): Map<string, number> {
  const map = new Map<string, number>();
  if (text === '-') return map;
  for (const part of text.split(', ')) {
    const eq = part.lastIndexOf('=');
    map.set(part.slice(0, eq), Number(part.slice(eq + 1)));
  }
  return map;
}

const sorted = (map: Map<string, number>): [string, number][] =>
  [...map]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

interface Stats {
  typeStatus: Map<string, number>;
  /** Records without / with an 8th field. */
  fields: Map<string, number>;
  /** cc/status for blank (as `<blank>`), ZZ, EU and AP. */
  cc: Map<string, number>;
  dateZero: number;
  notPowerOfTwo: number;
  misaligned: number;
  asnRanges: number;
  v6Min: number;
  v6Max: number;
  spots: Spot[];
}

interface Loaded {
  summary: DelegatedFileSummary;
  stats: Stats;
  warnings: LoadWarning[];
  sha256Stored: string;
  sha256: string;
}

const add = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

async function load(rel: string, lenient: boolean): Promise<Loaded> {
  const opened = openSource(shared(rel));
  const wanted = new Set((SPOTS[rel] ?? []).map((s) => s.line));
  const stats: Stats = {
    typeStatus: new Map(),
    fields: new Map(),
    cc: new Map(),
    dateZero: 0,
    notPowerOfTwo: 0,
    misaligned: 0,
    asnRanges: 0,
    v6Min: 999,
    v6Max: -1,
    spots: [],
  };
  const raw = createHash('sha256');
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of opened.chunks) {
      raw.update(chunk);
      yield chunk;
    }
  }
  const warnings: LoadWarning[] = [];
  const summary = await parseDelegated(
    hashed(),
    { file: opened.name, lenient, onWarning: (w) => warnings.push(w) },
    (r) => {
      add(stats.typeStatus, `${r.type}/${r.status}`);
      add(stats.fields, r.hasOpaqueField ? '8' : '7');
      if (
        r.country === '' ||
        r.country === 'ZZ' ||
        r.country === 'EU' ||
        r.country === 'AP'
      ) {
        add(
          stats.cc,
          `${r.country === '' ? '<blank>' : r.country}/${r.status}`,
        );
      }
      if (r.date === 0) stats.dateZero++;
      if (r.type === 'ipv4') {
        const count = r.last - r.first + 1;
        const powerOfTwo = Number.isInteger(Math.log2(count));
        if (!powerOfTwo) stats.notPowerOfTwo++;
        else if (r.first % count !== 0) stats.misaligned++;
      } else if (r.type === 'asn') {
        if (r.last > r.first) stats.asnRanges++;
      } else {
        stats.v6Min = Math.min(stats.v6Min, r.prefixLength);
        stats.v6Max = Math.max(stats.v6Max, r.prefixLength);
      }
      if (wanted.has(r.line)) stats.spots.push(snap(r));
    },
  );
  return {
    summary,
    stats,
    warnings,
    sha256Stored: opened.sha256(),
    sha256: raw.digest('hex'),
  };
}

async function loadError(rel: string): Promise<DelegatedFileError> {
  try {
    await load(rel, false);
  } catch (error) {
    expect(error).toBeInstanceOf(DelegatedFileError);
    return error as DelegatedFileError;
  }
  throw new Error(`${rel} was accepted in strict mode`);
}

/** Compares a load with the SOURCES facts. */
function checkFacts(facts: Facts, got: Loaded): void {
  const { summary, stats } = got;
  expect(got.sha256Stored).toBe(facts.sha256Stored);
  expect(got.sha256).toBe(facts.sha256);

  const [version, registry, serial, records, start, end, offset] =
    facts.header.split('|');
  const placeholder = (d: string | undefined): number =>
    d === '' || d === '00000000' || d === '19700101' ? 0 : Number(d);
  expect(summary.header).toEqual({
    version,
    registry,
    serial,
    records: Number(records),
    startDate: placeholder(start),
    endDate: placeholder(end),
    utcOffset: offset,
    line: facts.headerLine,
  });
  expect(summary.lines).toBe(facts.lines);
  expect(summary.announced).toEqual(Object.fromEntries(pairs(facts.summary)));
  expect(summary.read).toEqual({
    asn: 0,
    ipv4: 0,
    ipv6: 0,
    ...Object.fromEntries(pairs(facts.actual)),
  });
  expect(sorted(stats.typeStatus)).toEqual(sorted(pairs(facts.typeStatus)));

  const fields = pairs(facts.fields);
  const expectedFields = new Map<string, number>();
  // Lines with fewer than 7 fields are the malformed ones, skipped under lenient.
  if (fields.has('7')) expectedFields.set('7', fields.get('7')!);
  if (fields.has('8')) expectedFields.set('8', fields.get('8')!);
  expect(sorted(stats.fields)).toEqual(sorted(expectedFields));
  expect(summary.kind).toBe(fields.has('8') ? 'extended' : 'standard');

  expect(sorted(stats.cc)).toEqual(sorted(pairs(facts.cc)));
  const blank = [...pairs(facts.blankDate).values()].reduce((a, b) => a + b, 0);
  const zeros = [...pairs(facts.zeroDate).values()].reduce((a, b) => a + b, 0);
  expect(stats.dateZero).toBe(blank + zeros);
  expect(stats.notPowerOfTwo).toBe(facts.notPowerOfTwo);
  expect(stats.misaligned).toBe(facts.misaligned);
  expect(stats.asnRanges).toBe(facts.asnRanges);
  expect([stats.v6Min, stats.v6Max]).toEqual(facts.v6Lengths);
  expect(stats.spots).toEqual(SPOTS[facts.file]);
}

const REFUSED = new Set([
  'rir/delegated-lacnic-20190910.gz',
  'rir/defective/delegated-afrinic-extended-latest.gz',
  'rir/defective/delegated-iana-latest.gz',
]);

describe('complete shared files parse strictly and match SOURCES.md', () => {
  for (const facts of FACTS.filter((f) => !REFUSED.has(f.file))) {
    it(facts.file, async () => {
      const got = await load(facts.file, false);
      expect(got.summary.warningCount).toBe(0);
      checkFacts(facts, got);
    });
  }
});

describe('files refused strictly, loaded leniently', () => {
  const facts = (file: string): Facts => FACTS.find((f) => f.file === file)!;

  it('delegated-lacnic-20190910: upstream counts are inconsistent (asn summary 10197, 9984 lines)', async () => {
    const rel = 'rir/delegated-lacnic-20190910.gz';
    const e = await loadError(rel);
    expect(e.code).toBe('DELEGATED_COUNT_MISMATCH');
    expect(e.file).toBe('delegated-lacnic-20190910');
    expect(e.line).toBe(0);
    expect(e.message).toBe(
      'expected 10197 asn records (summary line 4) but found 9984 asn record lines in delegated-lacnic-20190910',
    );
    const got = await load(rel, true);
    checkFacts(facts(rel), got);
    expect(got.warnings.map((w) => [w.code, w.line, w.message])).toEqual([
      [
        'DELEGATED_COUNT_MISMATCH',
        0,
        'expected 10197 asn records (summary line 4) but found 9984 asn record lines in delegated-lacnic-20190910',
      ],
      [
        'DELEGATED_COUNT_MISMATCH',
        0,
        'expected 35932 records (version line 1) but found 35719 record lines in delegated-lacnic-20190910',
      ],
    ]);
    expect(got.summary.warningCount).toBe(2);
  });

  it('defective AFRINIC file: fragment at line 9378, then 7431 extra ipv6 lines', async () => {
    const rel = 'rir/defective/delegated-afrinic-extended-latest.gz';
    const e = await loadError(rel);
    expect(e.code).toBe('DELEGATED_BAD_LINE');
    expect(e.line).toBe(9378);
    expect(e.message).toBe(
      'expected at least 7 fields (registry|cc|type|start|value|date|status[|opaque-id]), got 2 ' +
        'at line 9378 of delegated-afrinic-extended-latest',
    );
    const got = await load(rel, true);
    checkFacts(facts(rel), got);
    expect(got.warnings.map((w) => [w.code, w.line])).toEqual([
      ['DELEGATED_BAD_LINE', 9378],
      ['DELEGATED_COUNT_MISMATCH', 0], // ipv6: 3312 announced, 10742 lines
      ['DELEGATED_COUNT_MISMATCH', 0], // header: 9373 announced, 16804 record lines
    ]);
    expect(got.warnings[1]!.message).toContain(
      'expected 3312 ipv6 records (summary line 4) but found 10742',
    );
    expect(got.warnings[2]!.message).toContain(
      'expected 9373 records (version line 1) but found 16804',
    );
  });

  it('defective IANA file: fragment at line 1007, then the tail of a longer file', async () => {
    const rel = 'rir/defective/delegated-iana-latest.gz';
    const e = await loadError(rel);
    expect(e.code).toBe('DELEGATED_BAD_LINE');
    expect(e.line).toBe(1007);
    expect(e.message).toContain('got 4 at line 1007 of delegated-iana-latest');
    const got = await load(rel, true);
    checkFacts(facts(rel), got);
    expect(got.warnings.map((w) => [w.code, w.line])).toEqual([
      ['DELEGATED_BAD_LINE', 1007],
      ['DELEGATED_COUNT_MISMATCH', 0],
      ['DELEGATED_COUNT_MISMATCH', 0],
      ['DELEGATED_COUNT_MISMATCH', 0],
      ['DELEGATED_COUNT_MISMATCH', 0],
    ]);
    expect(
      got.warnings.slice(1).map((w) => w.message.replace(/ in .*$/, '')),
    ).toEqual([
      'expected 133 asn records (summary line 31) but found 1194 asn record lines',
      'expected 781 ipv4 records (summary line 32) but found 1220 ipv4 record lines',
      'expected 59 ipv6 records (summary line 33) but found 116 ipv6 record lines',
      'expected 973 records (version line 30) but found 2531 record lines',
    ]);
  });
});

describe('excerpts (first lines only): refused strictly, loaded leniently', () => {
  const cases = [
    {
      rel: 'rir/excerpts/delegated-arin-extended-20251016.head34.gz',
      header: '2.3|arin|1760619646967|200336|19700101|20251016|-0400',
      sha256:
        'd056c0d757d48c871eae8773726b9dc25b42941a5102a6b61f29ef1d6b5a4430',
      sha256Stored:
        'f35717a136e761617a11c2382a6f369a05c7a16abe2aebb871fde1be56ca5506',
      announced: { asn: 32101, ipv4: 79191, ipv6: 89044 },
      read: { asn: 30, ipv4: 0, ipv6: 0 },
      lines: 34,
      first:
        'expected 32101 asn records (summary line 2) but found 30 asn record lines',
    },
    {
      rel: 'rir/excerpts/delegated-ripencc-extended-20251022.head35.gz',
      header: '2|ripencc|1761170399|254397|19700101|20251022|+0200',
      sha256:
        '95120c61dc1f6a8efd828d3a3c8e3aeeb4cca0fafaeb174cd65249dcf85fc67b',
      sha256Stored:
        '6bf60a23b8419bb2ab77f88ca77219947022d027bf5d41d998dc8e4d200c2d2f',
      announced: { ipv4: 97756, asn: 45608, ipv6: 111033 },
      read: { asn: 0, ipv4: 31, ipv6: 0 },
      lines: 35,
      first:
        'expected 45608 asn records (summary line 3) but found 0 asn record lines',
    },
  ];
  for (const c of cases) {
    it(c.rel, async () => {
      const e = await loadError(c.rel);
      expect(e.code).toBe('DELEGATED_COUNT_MISMATCH');
      expect(e.message).toContain(c.first);
      const got = await load(c.rel, true);
      const [version, registry, serial, records, , end, offset] =
        c.header.split('|');
      expect(got.summary.header).toEqual({
        version,
        registry,
        serial,
        records: Number(records),
        startDate: 0,
        endDate: Number(end),
        utcOffset: offset,
        line: 1,
      });
      expect(got.sha256).toBe(c.sha256);
      expect(got.sha256Stored).toBe(c.sha256Stored);
      expect(got.summary.announced).toEqual(c.announced);
      expect(got.summary.read).toEqual(c.read);
      expect(got.summary.lines).toBe(c.lines);
      expect(got.summary.kind).toBe('extended');
      // One warning per type summary and one for the version line.
      expect(got.warnings.map((w) => w.code)).toEqual(
        Array(4).fill('DELEGATED_COUNT_MISMATCH'),
      );
      expect(got.warnings[0]!.message).toContain(c.first);
      expect(got.stats.spots).toEqual(SPOTS[c.rel]);
    });
  }
});

// ---------------------------------------------------------------------------

describe('openSource', () => {
  const plainBytes = readFileSync(
    fixture('delegated-ripencc-extended-sample.txt'),
  );
  const sha = (bytes: Uint8Array): string =>
    createHash('sha256').update(bytes).digest('hex');
  const collect = async (
    chunks: AsyncIterable<Uint8Array>,
  ): Promise<Buffer> => {
    const parts: Uint8Array[] = [];
    for await (const c of chunks) parts.push(c);
    return Buffer.concat(parts);
  };
  const temp = mkdtempSync(join(tmpdir(), 'rirmap-read-source-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('reads plain, gzip, bzip2 and multistream bzip2 to the same bytes; hashes the stored bytes', async () => {
    for (const [path, name] of [
      [
        fixture('delegated-ripencc-extended-sample.txt'),
        'delegated-ripencc-extended-sample.txt',
      ],
      [
        fixture('compressed/delegated-ripencc-extended-sample.txt.bz2'),
        'delegated-ripencc-extended-sample.txt',
      ],
      [
        fixture('compressed/delegated-ripencc-extended-sample.multistream.bz2'),
        'delegated-ripencc-extended-sample.multistream',
      ],
    ] as const) {
      const opened = openSource(path);
      expect(opened.name).toBe(name);
      expect(opened.path).toBe(path);
      expect(await collect(opened.chunks)).toEqual(plainBytes);
      expect(opened.sha256()).toBe(sha(readFileSync(path)));
    }
    const gz = fixture('compressed/delegated-apnic-extended-sample.txt.gz');
    const opened = openSource(gz);
    expect(opened.name).toBe('delegated-apnic-extended-sample.txt');
    expect(await collect(opened.chunks)).toEqual(
      readFileSync(fixture('delegated-apnic-extended-sample.txt')),
    );
    expect(opened.sha256()).toBe(sha(readFileSync(gz)));
  });

  it('sha256() before reading hashes the file itself', () => {
    const gz = fixture('compressed/delegated-apnic-extended-sample.txt.gz');
    expect(openSource(gz).sha256()).toBe(sha(readFileSync(gz)));
  });

  it('each iteration reads the file again; breaking early is clean', async () => {
    const opened = openSource(shared('rir/delegated-apnic-20141009.gz'));
    for await (const chunk of opened.chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    const all = await collect(opened.chunks);
    expect(sha(all)).toBe(
      '03eee80fe4adbc4cc242643813703f822f822eb55ed9ac12f486e42637f803eb',
    );
    expect(opened.sha256()).toBe(
      '0d7c19873eb08957666c8f43aaab23739cfe33f7399f8f9b695a01adb79599b9',
    );
  });

  it('an empty file gives no chunks', async () => {
    const empty = join(temp, 'empty');
    writeFileSync(empty, '');
    const opened = openSource(empty);
    expect(await collect(opened.chunks)).toEqual(Buffer.alloc(0));
    expect(opened.sha256()).toBe(sha(new Uint8Array(0)));
  });

  it('refuses missing files, directories and damaged archives with SourceError', async () => {
    const missing = join(temp, 'nope.gz');
    expect(() => openSource(missing)).toThrow(SourceError);
    try {
      openSource(missing);
    } catch (error) {
      expect((error as SourceError).code).toBe('SOURCE_NOT_FOUND');
      expect((error as SourceError).path).toBe(missing);
    }
    try {
      openSource(temp);
      throw new Error('accepted a directory');
    } catch (error) {
      expect((error as SourceError).code).toBe('SOURCE_READ_FAILED');
    }
    expect(() => openSource('')).toThrow(TypeError);

    const gz = readFileSync(shared('rir/delegated-afrinic-20190911.gz'));
    const truncated = join(temp, 'truncated.gz');
    writeFileSync(truncated, gz.subarray(0, gz.length >> 1));
    const e1 = await collect(openSource(truncated).chunks).catch(
      (error: unknown) => error,
    );
    expect(e1).toBeInstanceOf(SourceError);
    expect((e1 as SourceError).code).toBe('SOURCE_READ_FAILED');
    expect((e1 as SourceError).message).toContain('truncated.gz');

    const bz = readFileSync(
      fixture('compressed/delegated-ripencc-extended-sample.txt.bz2'),
    );
    const damaged = join(temp, 'damaged.bz2');
    const copy = Buffer.from(bz);
    for (let i = 40; i < copy.length - 10; i += 7) copy[i] = copy[i]! ^ 0x5a;
    writeFileSync(damaged, copy);
    const e2 = await collect(openSource(damaged).chunks).catch(
      (error: unknown) => error,
    );
    expect(e2).toBeInstanceOf(SourceError);
    expect((e2 as SourceError).code).toBe('SOURCE_READ_FAILED');
  });
});

describe('readHeaderOnly', () => {
  it('reads the version line of gzip, bzip2 and plain files, after a comment banner', async () => {
    expect(
      await readHeaderOnly(shared('rir/delegated-apnic-extended-20160131.gz')),
    ).toEqual({
      version: '2.3',
      registry: 'apnic',
      serial: '20160131',
      records: 73407,
      startDate: 0,
      endDate: 20160130,
      utcOffset: '+1000',
      line: 28,
      name: 'delegated-apnic-extended-20160131',
      kind: 'extended',
    });
    const ripe = await readHeaderOnly(
      fixture('compressed/delegated-ripencc-extended-sample.txt.bz2'),
    );
    expect(ripe.serial).toBe('1790632799');
    expect(ripe.kind).toBe('extended');
    const lacnic = await readHeaderOnly(
      shared('rir/delegated-lacnic-20190910.gz'),
    );
    expect([lacnic.registry, lacnic.endDate, lacnic.kind]).toEqual([
      'lacnic',
      20190910,
      'standard',
    ]);
  });

  it('tells the kind from the first records when the name does not', async () => {
    // The IANA sample has 8-field lines; its name has no "-extended".
    expect(
      (await readHeaderOnly(fixture('delegated-iana-sample.txt'))).kind,
    ).toBe('extended');
    expect(
      (await readHeaderOnly(shared('rir/delegated-arin-20130813.gz'))).kind,
    ).toBe('standard');
  });

  it('throws DelegatedFileError when there is no valid version line', async () => {
    await expect(
      readHeaderOnly(fixture('malformed-no-header.txt')),
    ).rejects.toMatchObject({
      code: 'DELEGATED_NO_HEADER',
      line: 2,
    });
    await expect(
      readHeaderOnly(fixture('malformed-bad-version.txt')),
    ).rejects.toMatchObject({
      code: 'DELEGATED_BAD_VERSION',
    });
    await expect(readHeaderOnly(fixture('nope.txt'))).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });
});

import fc from 'fast-check';
import { parse as parseSync } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/types.js';
import {
  lastCsvBoundary,
  quoteCsvCell,
  scanCsvRecord,
  createCsvScanState,
} from '../../src/formats/csv-scan.js';
import { RegistryError } from '../../src/errors.js';
import {
  chunked,
  enrichBytes,
  enrichString,
  fixtureRegistry,
} from './enrich-helpers.js';

// Expected cells, read by hand from fixtures/enrich/registry/*:
// rir,country,date,status for the addresses used below.
const A = {
  '1.0.16.1': 'apnic,JP,2011-04-12,allocated',
  '1.1.1.1': 'apnic,AU,2011-08-11,assigned',
  '1.2.6.9': 'apnic,CN,2011-04-14,allocated',
  '1.3.0.5': 'apnic,,2011-01-01,reserved',
  '5.6.7.8': 'ripencc,NL,2012-01-01,allocated',
  '83.149.9.216': 'ripencc,RU,2004-03-09,allocated',
  '2001:200::1': 'apnic,JP,1999-08-13,allocated',
} as const;
const NONE = ',,,'; // not found / special: four empty cells

let registry: Registry;
beforeAll(async () => {
  registry = await fixtureRegistry();
});

describe('CSV: rows keep their bytes and get cells appended', () => {
  it('header, two address columns, hand-checked output', async () => {
    const input =
      'ts,src_ip,dst_ip,port\n' +
      '1,1.1.1.1,5.6.7.8,80\n' +
      '2,8.8.8.8,10.1.1.1,53\n' +
      '3,foo,,22\n';
    const { out, summary } = await enrichString(input, { registry });
    expect(out).toBe(
      'ts,src_ip,dst_ip,port,src_ip_rir,src_ip_country,src_ip_date,src_ip_status,src_ip_error,' +
        'dst_ip_rir,dst_ip_country,dst_ip_date,dst_ip_status,dst_ip_error\n' +
        `1,1.1.1.1,5.6.7.8,80,${A['1.1.1.1']},,${A['5.6.7.8']},\n` +
        `2,8.8.8.8,10.1.1.1,53,${NONE},,${NONE},\n` +
        `3,foo,,22,${NONE},invalid,${NONE},missing\n`,
    );
    expect(summary).toMatchObject({
      format: 'csv',
      columns: ['src_ip', 'dst_ip'],
      rows: 3,
      controlLines: 1,
      addresses: 5,
      found: 2,
      notFound: 1,
      special: 1,
      invalid: 1,
      missing: 1,
      byRir: { apnic: 1, ripencc: 1 },
      byCountry: { AU: 1, NL: 1 },
    });
  });

  it('no header: detected, and no header row is added', async () => {
    const { out, summary } = await enrichString(
      '1.0.16.1,x\n83.149.9.216,y\n',
      { registry },
    );
    expect(out).toBe(
      `1.0.16.1,x,${A['1.0.16.1']},\n83.149.9.216,y,${A['83.149.9.216']},\n`,
    );
    expect(summary.columns).toEqual(['column 1']);
  });

  it('a plain list of addresses is a one-column CSV', async () => {
    const { out, summary } = await enrichString('1.1.1.1\n2001:200::1\n', {
      registry,
    });
    expect(summary.format).toBe('csv');
    expect(out).toBe(
      `1.1.1.1,${A['1.1.1.1']},\n2001:200::1,${A['2001:200::1']},\n`,
    );
  });

  it('quoted fields, spaces and odd quoting are copied as written', async () => {
    const input =
      'note,ip\n' +
      '"a, ""quoted"" note", 1.1.1.1 \n' +
      '"multi\nline",  "5.6.7.8"\n' +
      'x"y,"1.0.16.1"\n';
    const { out } = await enrichString(input, { registry });
    expect(out).toBe(
      'note,ip,ip_rir,ip_country,ip_date,ip_status,ip_error\n' +
        `"a, ""quoted"" note", 1.1.1.1 ,${A['1.1.1.1']},\n` +
        `"multi\nline",  "5.6.7.8",${NONE},invalid\n` + // `  "5.6.7.8"`: the quote is not at the field start
        `x"y,"1.0.16.1",${A['1.0.16.1']},\n`,
    );
  });

  it('selected fields and their order; cidr and range; a cell that needs quotes', async () => {
    const { out } = await enrichString('ip\n1.2.6.9\n', {
      registry,
      fields: ['cidr', 'range', 'holder', 'source'],
    });
    expect(out).toBe(
      'ip,ip_cidr,ip_range,ip_holder,ip_source,ip_error\n' +
        '1.2.6.9,1.2.4.0/23 1.2.6.0/24,1.2.4.0-1.2.6.255,A92E1062,delegated-apnic-extended-20240101,\n',
    );
    const semi = await enrichString('ip;n\n1.2.6.9;1\n', {
      registry,
      fields: 'cidr',
      delimiter: ';',
    });
    expect(semi.out).toBe(
      'ip;n;ip_cidr;ip_error\n1.2.6.9;1;1.2.4.0/23 1.2.6.0/24;\n',
    );
  });

  it('the special field names the block', async () => {
    const { out } = await enrichString('ip\n10.1.1.1\n::1\n1.1.1.1\n', {
      registry,
      fields: 'rir,special',
    });
    expect(out).toBe(
      'ip,ip_rir,ip_special,ip_error\n10.1.1.1,,private,\n::1,,loopback,\n1.1.1.1,apnic,,\n',
    );
  });

  it('columns by name and by 1-based number; TSV', async () => {
    const input = 'a\tb\tc\n1.1.1.1\t5.6.7.8\tz\n';
    const byName = await enrichString(input, {
      registry,
      columns: ['b'],
      fields: 'rir',
    });
    const byNumber = await enrichString(input, {
      registry,
      columns: ['2'],
      fields: 'rir',
    });
    expect(byName.out).toBe(
      'a\tb\tc\tb_rir\tb_error\n1.1.1.1\t5.6.7.8\tz\tripencc\t\n',
    );
    expect(byNumber.out).toBe(byName.out);
    expect(byName.summary.format).toBe('tsv');
  });

  it('an unknown column name fails at once with the header listed', async () => {
    await expect(
      enrichString('a,b\n1.1.1.1,2\n', { registry, columns: ['ip'] }),
    ).rejects.toThrow(/no column "ip" in the header \("a", "b"\)/);
  });
});

describe('CSV: malformed input, as documented', () => {
  it('a BOM is kept and does not hide the first header name', async () => {
    const { bytes } = await enrichBytes(
      Buffer.from('\ufeffip,n\n1.1.1.1,1\n', 'utf8'),
      {
        registry,
        columns: ['ip'],
        fields: 'rir',
      },
    );
    expect(bytes.toString('utf8')).toBe(
      '\ufeffip,n,ip_rir,ip_error\n1.1.1.1,1,apnic,\n',
    );
  });

  it('CRLF line ends are kept; cells go before the CR', async () => {
    const { out } = await enrichString('ip,n\r\n1.1.1.1,1\r\n5.6.7.8,2', {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      'ip,n,ip_rir,ip_error\r\n1.1.1.1,1,apnic,\r\n5.6.7.8,2,ripencc,',
    );
  });

  it('blank lines are copied unchanged and get no cells', async () => {
    const { out, summary } = await enrichString(
      'ip\n\n1.1.1.1\n\r\n\n5.6.7.8\n\n',
      {
        registry,
        fields: 'rir',
      },
    );
    expect(out).toBe(
      'ip,ip_rir,ip_error\n\n1.1.1.1,apnic,\n\r\n\n5.6.7.8,ripencc,\n\n',
    );
    expect(summary).toMatchObject({ rows: 2, blankLines: 4 });
  });

  it('ragged rows: short rows are padded to the header width, long ones keep their extra fields', async () => {
    const { out } = await enrichString('ip,a,b\n1.1.1.1\n5.6.7.8,1,2,3,4\n', {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      'ip,a,b,ip_rir,ip_error\n1.1.1.1,,,apnic,\n5.6.7.8,1,2,3,4,ripencc,\n',
    );
  });

  it('a row too short to have the address column gets `missing`', async () => {
    const { out } = await enrichString('a,ip\nx,1.1.1.1\ny\n', {
      registry,
      fields: 'rir',
      columns: ['ip'],
    });
    expect(out).toBe('a,ip,ip_rir,ip_error\nx,1.1.1.1,apnic,\ny,,,missing\n');
  });

  it('binary junk is copied byte for byte', async () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0d, 0x7f]);
    const input = Buffer.concat([
      Buffer.from('ip,blob\n1.1.1.1,'),
      junk,
      Buffer.from('\n5.6.7.8,'),
      junk,
      Buffer.from('\n'),
    ]);
    const { bytes, summary } = await enrichBytes(input, {
      registry,
      fields: 'rir',
    });
    const expected = Buffer.concat([
      Buffer.from('ip,blob,ip_rir,ip_error\n1.1.1.1,'),
      junk,
      Buffer.from(',apnic,\n5.6.7.8,'),
      junk,
      Buffer.from(',ripencc,\n'),
    ]);
    expect(bytes.equals(expected)).toBe(true);
    expect(summary.rows).toBe(2);
  });

  it('a 1 MB line is one row', async () => {
    const big = 'x'.repeat(1 << 20);
    const input = `ip,blob\n1.1.1.1,${big}\n5.6.7.8,y\n`;
    const { out, summary } = await enrichString(input, {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      `ip,blob,ip_rir,ip_error\n1.1.1.1,${big},apnic,\n5.6.7.8,y,ripencc,\n`,
    );
    expect(summary.rows).toBe(2);
  });

  it('an unclosed quote runs to the end of the input: one last row, every byte kept', async () => {
    const input = 'ip,note\n1.1.1.1,"open\n5.6.7.8,ok\n';
    const { out, summary } = await enrichString(input, {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      `ip,note,ip_rir,ip_error\n1.1.1.1,"open\n5.6.7.8,ok\n,apnic,`,
    );
    expect(summary.rows).toBe(1);
  });

  it('an unclosed quote in a long input stops at maxRowBytes with INPUT_MALFORMED', async () => {
    const rows = Array.from(
      { length: 2000 },
      (_, i) => `1.1.1.1,row ${i}\n`,
    ).join('');
    const input = `ip,note\n1.1.1.1,"open\n${rows}`;
    const err = await enrichString(chunked(Buffer.from(input), 1000), {
      registry,
      maxRowBytes: 4096,
      segmentBytes: 1024,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('INPUT_MALFORMED');
    expect((err as Error).message).toMatch(/maxRowBytes.*unclosed quote/);
  });
});

describe('CSV: streaming', () => {
  it('gives the same bytes whatever the chunking', async () => {
    const lines = ['ts,"src ip",dst'];
    const ips = Object.keys(A);
    for (let i = 0; i < 500; i++)
      lines.push(
        `${i},${ips[i % ips.length]},"${ips[(i * 7) % ips.length]}"${i % 50 === 0 ? ',"a\nb"' : ''}`,
      );
    const input = Buffer.from(`${lines.join('\r\n')}\r\n`);
    const whole = await enrichBytes(input, {
      registry,
      columns: ['src ip', 'dst'],
    });
    for (const size of [1, 7, 333, 4096]) {
      const parts = await enrichBytes(chunked(input, size), {
        registry,
        columns: ['src ip', 'dst'],
        segmentBytes: 1024,
      });
      expect(parts.bytes.equals(whole.bytes)).toBe(true);
    }
  });
});

describe('CSV: the fast scanner and csv-parse agree', () => {
  // Random well-formed CSV: fields plain, quoted (with delimiters, quotes,
  // line breaks) or addresses; LF or CRLF.
  const ips = [...Object.keys(A), '8.8.8.8', '10.1.1.1', 'nope', ''];
  const plain = fc.stringMatching(/^[a-z0-9 .:-]{0,6}$/);
  const quoted = fc
    .string({
      unit: fc.constantFrom('a', ',', '"', '\n', ' ', 'é'),
      maxLength: 6,
    })
    .map((s) => `"${s.replaceAll('"', '""')}"`);
  const ip = fc.constantFrom(...ips);
  const row = fc.tuple(ip, fc.array(fc.oneof(plain, quoted), { maxLength: 3 }));
  const csv = fc.tuple(
    fc.array(row, { minLength: 1, maxLength: 25 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  );

  it('same output from both engines, and each output row is the input row plus the expected cells', async () => {
    await fc.assert(
      fc.asyncProperty(csv, async ([rows, eol, finalEol]) => {
        const raw = rows.map(([a, rest]) => [a, ...rest].join(','));
        const input = `ip,x\n${raw.join(eol)}${finalEol ? eol : ''}`;
        const opts = {
          registry,
          columns: ['ip'],
          header: true,
          fields: 'rir',
        } as const;
        const fast = await enrichString(input, { ...opts, csvEngine: 'fast' });
        const slow = await enrichString(input, {
          ...opts,
          csvEngine: 'csv-parse',
        });
        expect(fast.out).toBe(slow.out);
        // Independent expectation: registry.query for each row's address.
        const width = 2;
        const cells = rows.map(([a, rest]) => {
          const n = 1 + rest.length;
          const pad = n < width ? ','.repeat(width - n) : '';
          if (a === '' && rest.length === 0) return ''; // a blank line: copied, no cells
          if (a === '') return `${pad},,missing`;
          const r = registry.query(a);
          if ('error' in r) return `${pad},,invalid`;
          return `${pad},${r.found ? r.rir : ''},`;
        });
        const expected =
          'ip,x,ip_rir,ip_error\n' +
          raw.map((r, i) => r + cells[i]).join(eol) +
          (finalEol ? eol : '');
        expect(fast.out).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('record spans match csv-parse on random records', () => {
    fc.assert(
      fc.property(csv, ([rows, eol]) => {
        const text =
          rows.map(([a, rest]) => [a, ...rest].join(',')).join(eol) + eol;
        const parsed = parseSync(text, {
          relax_quotes: true,
          relax_column_count: true,
          record_delimiter: ['\r\n', '\n'],
        }) as string[][];
        const st = createCsvScanState(',', '"', [0, 1, 2, 3], 0);
        let pos = 0;
        const mine: string[][] = [];
        while (pos < text.length) {
          const next = scanCsvRecord(text, pos, text.length, true, st);
          const rec: string[] = [];
          for (let k = 0; k < Math.min(st.fieldCount, 4); k++) {
            const a = st.spans[k * 2]!;
            const b = st.spans[k * 2 + 1]!;
            const quotedField = a > 0 && text[a - 1] === '"' && st.bad[k] === 0;
            rec.push(
              quotedField
                ? text.slice(a, b).replaceAll('""', '"')
                : text.slice(a, b),
            );
          }
          mine.push(rec);
          pos = next;
        }
        expect(mine).toEqual(parsed.map((r) => r.slice(0, 4)));
        expect(lastCsvBoundary(text, text.length, ',', '"')).toBe(text.length);
      }),
      { numRuns: 300 },
    );
  });

  it('quoteCsvCell quotes what needs it', () => {
    expect(quoteCsvCell('a', ',', '"')).toBe('a');
    expect(quoteCsvCell('a,b', ',', '"')).toBe('"a,b"');
    expect(quoteCsvCell('say "hi"', ',', '"')).toBe('"say ""hi"""');
    expect(quoteCsvCell('x\ny', ';', '"')).toBe('"x\ny"');
  });
});

describe('CSV: dialects read by csv-parse', () => {
  it('comment lines are copied; backslash escapes; a two-character delimiter', async () => {
    const input =
      '# exported\nip;;note\n1.1.1.1;;"a \\" b"\n# mid\n5.6.7.8;;x\n';
    const { out, summary } = await enrichString(input, {
      registry,
      delimiter: ';;',
      escape: '\\',
      comment: '#',
      fields: 'rir',
    });
    expect(out).toBe(
      '# exported\nip;;note;;ip_rir;;ip_error\n1.1.1.1;;"a \\" b";;apnic;;\n# mid\n5.6.7.8;;x;;ripencc;;\n',
    );
    expect(summary.rows).toBe(2);
  });

  it('bare-CR line ends', async () => {
    const { out } = await enrichString('ip,n\r1.1.1.1,1\r5.6.7.8,2\r', {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      'ip,n,ip_rir,ip_error\r1.1.1.1,1,apnic,\r5.6.7.8,2,ripencc,\r',
    );
  });

  it('csvEngine fast refuses a dialect it cannot read', async () => {
    await expect(
      enrichString('ip\n1.1.1.1\n', {
        registry,
        comment: '#',
        csvEngine: 'fast',
        format: 'csv',
      }),
    ).rejects.toThrow(TypeError);
  });
});

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Registry, RegistryRecord } from '../../src/types.js';
import type { RdapInfo, RdapResolver } from '../../src/rdap/rdap-types.js';
import { enrichText } from '../../src/enrich/enrich-text.js';
import { enrichRows } from '../../src/enrich/enrich-rows.js';
import { createEnrichStream } from '../../src/enrich/enrich-stream.js';
import type { EnrichIssue } from '../../src/formats/format-plan.js';
import { RegistryError } from '../../src/errors.js';
import {
  enrichBytes,
  enrichString,
  fakeRegistry,
  fixtureRegistry,
} from './enrich-helpers.js';

let registry: Registry;
beforeAll(async () => {
  registry = await fixtureRegistry();
});

/** A fake RDAP resolver: answers after a delay that depends on the address. */
function fakeResolver(delays: Record<string, number> = {}): RdapResolver & {
  calls: string[];
  maxActive: number;
} {
  let active = 0;
  const calls: string[] = [];
  const resolver = {
    calls,
    maxActive: 0,
    async resolve(
      ip: string,
      record: RegistryRecord | null,
    ): Promise<RdapInfo> {
      calls.push(ip);
      active++;
      resolver.maxActive = Math.max(resolver.maxActive, active);
      await new Promise((r) => setTimeout(r, delays[ip] ?? 1));
      active--;
      return {
        status: 'ok',
        handle: `NET-${ip}`,
        name: `name of ${ip}`,
        type: null,
        country: record?.country ?? 'ZZ',
        start: null,
        end: null,
        cidrs: [`${ip}/32`, 'x'],
        org: 'Ørg, "quoted"',
        abuseEmail: null,
        registered: null,
        lastChanged: null,
        parentHandle: null,
        server: 'https://rdap.example/',
        fetchedAt: null,
      };
    },
    stats: () => ({
      calls: calls.length,
      cached: 0,
      waiting: 0,
      failures: 0,
      hosts: {},
    }),
    close: async () => undefined,
  };
  return resolver;
}

describe('options fail at once', () => {
  it.each([
    [{ fields: 'rir,nope' }, TypeError, /unknown field "nope"/],
    [{ fields: 'rir,rir' }, TypeError, /listed twice/],
    [{ fields: 'rdap.name' }, TypeError, /need the `rdap` option/],
    [{ format: 'xml' }, TypeError, /`format`/],
    [{ threads: 0 }, RangeError, /`threads`/],
    [{ threads: 1.5 }, TypeError, /`threads`/],
    [{ columns: [] }, TypeError, /`columns`/],
    [{ columns: ['a', 'a'] }, TypeError, /twice/],
    [{ annotate: 'xml' }, TypeError, /`annotate`/],
    [{ windowSize: 0 }, RangeError, /`windowSize`/],
    [
      { rdap: { resolver: {}, mode: 'fallback' } },
      TypeError,
      /`rdap.resolver`/,
    ],
  ] as const)('%o', (extra, type, message) => {
    expect(() => enrichText([], { registry, ...(extra as object) })).toThrow(
      type,
    );
    expect(() => enrichText([], { registry, ...(extra as object) })).toThrow(
      message,
    );
  });

  it('a registry that is not shareable cannot use threads', () => {
    expect(() =>
      enrichText([], { registry: fakeRegistry({}), threads: 2 }),
    ).toThrow(TypeError);
  });

  it('no registry', () => {
    expect(() => enrichText([], {} as never)).toThrow(/`registry`/);
  });
});

describe('enrichText', () => {
  it('strict: stops at the first missing or invalid address, after the rows before it', async () => {
    const run = enrichText(
      [Buffer.from('ip,n\n1.1.1.1,1\n\nbad,2\n5.6.7.8,3\n')],
      {
        registry,
        strict: true,
        fields: 'rir',
      },
    );
    const out: string[] = [];
    const err = await (async () => {
      for await (const b of run) out.push(Buffer.from(b).toString());
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('ENRICH_ROW');
    expect((err as Error).message).toBe(
      'invalid address "bad" in column "ip" at line 4 (row 2); strict mode stops here',
    );
    expect(out.join('')).toBe('ip,n,ip_rir,ip_error\n1.1.1.1,1,apnic,\n\n');
    expect(run.summary).toBeUndefined();
  });

  it('onIssue: every missing or invalid value, in order, with row and line', async () => {
    const issues: EnrichIssue[] = [];
    await enrichString('a,b\n1.1.1.1,x\n"multi\nline",\n\n,5.6.7.8\n', {
      registry,
      columns: ['a', 'b'],
      onIssue: (i) => issues.push(i),
    });
    expect(issues).toEqual([
      { row: 1, line: 2, column: 'b', reason: 'invalid', value: 'x' },
      { row: 2, line: 3, column: 'a', reason: 'invalid', value: 'multi\nline' },
      { row: 2, line: 3, column: 'b', reason: 'missing', value: '' },
      { row: 3, line: 6, column: 'a', reason: 'missing', value: '' },
    ]);
  });

  it('auto-detects each format', async () => {
    const zeek = '#separator \\x09\n#fields\tip\n#types\taddr\n1.1.1.1\n';
    const cases: [string, string][] = [
      [zeek, 'zeek'],
      ['{"ip":"1.1.1.1"}\n', 'jsonl'],
      ['ip,n\n1.1.1.1,2\n', 'csv'],
      ['ip\tn\n1.1.1.1\t2\n', 'tsv'],
      ['Dec 10 sshd: from 1.1.1.1 port 22\n', 'log'],
      ['', 'log'],
    ];
    for (const [input, format] of cases) {
      const { summary } = await enrichString(input, { registry });
      expect(summary.format).toBe(format);
    }
  });

  it('aborting rejects with the signal reason; a pre-aborted signal too', async () => {
    const controller = new AbortController();
    async function* endless() {
      for (;;) {
        yield Buffer.from('from 1.1.1.1 port 22\n'.repeat(100));
        await new Promise((r) => setImmediate(r));
      }
    }
    const run = enrichText(endless(), { registry, signal: controller.signal });
    let n = 0;
    const err = await (async () => {
      for await (const _ of run)
        if (++n === 3) controller.abort(new Error('stop'));
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('stop');
    await expect(
      enrichString('x', { registry, signal: AbortSignal.abort() }),
    ).rejects.toThrow();
  });

  it('breaking out of the loop closes the input', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++)
          yield Buffer.from(`from 1.1.1.${i % 250} port 22\n`.repeat(5000));
      } finally {
        closed = true;
      }
    }
    for await (const _ of enrichText(source(), { registry })) break;
    expect(closed).toBe(true);
  });

  it('a run is iterated once', async () => {
    const run = enrichText([Buffer.from('1.1.1.1\n')], { registry });
    for await (const _ of run) void _;
    expect(run.summary?.rows).toBe(1);
    expect(() => run[Symbol.asyncIterator]()).toThrow(/once/);
  });

  it('text chunks are read as UTF-8', async () => {
    const { out } = await enrichString(['{"n":"é","ip":"1.1', '.1.1"}\n'], {
      registry,
      fields: 'rir',
    });
    expect(out).toBe(
      '{"n":"é","ip":"1.1.1.1","ip_registry":{"rir":"apnic"}}\n',
    );
  });
});

describe('RDAP fields', () => {
  it('fallback: only addresses no file answers are asked; order is kept whatever the delays', async () => {
    const resolver = fakeResolver({
      '8.8.8.8': 40,
      '9.9.9.9': 1,
      '4.4.4.4': 20,
    });
    const input = 'ip\n8.8.8.8\n1.1.1.1\n9.9.9.9\n10.0.0.1\n4.4.4.4\n';
    const { out, summary } = await enrichString(input, {
      registry,
      rdap: { resolver, mode: 'fallback' },
      fields: ['rir', 'rdap.name', 'rdap.org', 'rdap.cidrs'],
    });
    expect(out).toBe(
      'ip,ip_rir,ip_rdap.name,ip_rdap.org,ip_rdap.cidrs,ip_error\n' +
        '8.8.8.8,,name of 8.8.8.8,"Ørg, ""quoted""",8.8.8.8/32 x,\n' +
        '1.1.1.1,apnic,,,,\n' +
        '9.9.9.9,,name of 9.9.9.9,"Ørg, ""quoted""",9.9.9.9/32 x,\n' +
        '10.0.0.1,,,,,\n' +
        '4.4.4.4,,name of 4.4.4.4,"Ørg, ""quoted""",4.4.4.4/32 x,\n',
    );
    expect(resolver.calls.sort()).toEqual(['4.4.4.4', '8.8.8.8', '9.9.9.9']);
    expect(summary.rdap).toEqual({ queried: 3, byStatus: { ok: 3 } });
  });

  it('always: found addresses are asked too, with their record; default rdap fields', async () => {
    const resolver = fakeResolver();
    const { out } = await enrichString('from 1.1.1.1 port 22\n', {
      registry,
      format: 'log',
      rdap: { resolver, mode: 'always' },
    });
    expect(JSON.parse(out)).toEqual({
      line: 'from 1.1.1.1 port 22',
      ips: [
        {
          ip: '1.1.1.1',
          offset: 5,
          rir: 'apnic',
          country: 'AU',
          date: '2011-08-11',
          status: 'assigned',
          rdap: { name: 'name of 1.1.1.1', country: 'AU', status: 'ok' },
        },
      ],
    });
  });

  it('the window bounds lookups in flight', async () => {
    const resolver = fakeResolver();
    const ips = Array.from(
      { length: 200 },
      (_, i) => `9.9.${i >> 8}.${i & 255}`,
    );
    const { out } = await enrichString(`ip\n${ips.join('\n')}\n`, {
      registry,
      rdap: { resolver, mode: 'fallback' },
      fields: 'rdap.name',
      windowSize: 7,
    });
    expect(resolver.maxActive).toBeLessThanOrEqual(7);
    expect(out.split('\n').slice(1, -1)).toEqual(
      ips.map((ip) => `${ip},name of ${ip},`),
    );
  });

  it('zeek and jsonl outputs carry the answers too', async () => {
    const resolver = fakeResolver();
    const zeek = '#separator \\x09\n#fields\tip\n#types\taddr\n8.8.8.8\n';
    const z = await enrichString(zeek, {
      registry,
      rdap: { resolver, mode: 'fallback' },
      fields: 'rir,rdap.handle',
    });
    expect(z.out.split('\n')[3]).toBe('8.8.8.8\t-\tNET-8.8.8.8\t-');
    const j = await enrichString('{"ip":"8.8.8.8"}\n', {
      registry,
      rdap: { resolver, mode: 'fallback' },
      fields: 'rir,rdap.handle',
    });
    expect(j.out).toBe(
      '{"ip":"8.8.8.8","ip_registry":{"rir":null,"rdap":{"handle":"NET-8.8.8.8"}}}\n',
    );
  });
});

describe('enrichRows', () => {
  it('objects: keys added after the row’s own; columns detected', async () => {
    const rows = [
      { when: 1, src: '1.1.1.1', note: 'x' },
      { when: 2, src: 'nope', note: 'y' },
      { when: 3, note: 'z' },
    ];
    const run = enrichRows(rows, { registry, fields: 'rir,country' });
    const out = [];
    for await (const r of run) out.push(r);
    expect(out).toEqual([
      {
        when: 1,
        src: '1.1.1.1',
        note: 'x',
        src_rir: 'apnic',
        src_country: 'AU',
        src_error: '',
      },
      {
        when: 2,
        src: 'nope',
        note: 'y',
        src_rir: '',
        src_country: '',
        src_error: 'invalid',
      },
      {
        when: 3,
        note: 'z',
        src_rir: '',
        src_country: '',
        src_error: 'missing',
      },
    ]);
    expect(Object.keys(out[0]!)).toEqual([
      'when',
      'src',
      'note',
      'src_rir',
      'src_country',
      'src_error',
    ]);
    expect(run.summary).toMatchObject({
      format: 'rows',
      columns: ['src'],
      rows: 3,
      found: 1,
      invalid: 1,
      missing: 1,
    });
  });

  it('arrays, async source, RDAP order kept', async () => {
    const resolver = fakeResolver({ '8.8.8.8': 30 });
    async function* rows() {
      yield ['8.8.8.8', 'a'];
      yield ['1.1.1.1', 'b'];
      yield ['10.0.0.1', 'c'];
    }
    const out = [];
    for await (const r of enrichRows(rows(), {
      registry,
      columns: [0],
      fields: 'rir,special,rdap.handle',
      rdap: { resolver, mode: 'fallback' },
    }))
      out.push(r);
    expect(out).toEqual([
      ['8.8.8.8', 'a', '', '', 'NET-8.8.8.8', ''],
      ['1.1.1.1', 'b', 'apnic', '', '', ''],
      ['10.0.0.1', 'c', '', 'private', '', ''],
    ]);
  });

  it('strict', async () => {
    const run = enrichRows([{ ip: '1.1.1.1' }, { ip: '' }], {
      registry,
      columns: ['ip'],
      strict: true,
    });
    await expect(
      (async () => {
        for await (const _ of run) void _;
      })(),
    ).rejects.toMatchObject({ code: 'ENRICH_ROW' });
  });
});

describe('createEnrichStream', () => {
  it('a Transform giving the same bytes as enrichText', async () => {
    const input = Buffer.from(
      `ip,n\n${Array.from({ length: 2000 }, (_, i) => `1.1.1.${i % 256},${i}`).join('\n')}\n`,
    );
    const direct = await enrichBytes(input, { registry, fields: 'rir' });
    const parts: Buffer[] = [];
    const stream = createEnrichStream({ registry, fields: 'rir' });
    await pipeline(
      Readable.from([input.subarray(0, 1000), input.subarray(1000)]),
      stream,
      new Writable({
        write(chunk: Buffer, _e, cb) {
          parts.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(parts).equals(direct.bytes)).toBe(true);
    expect(stream.summary?.rows).toBe(2000);
  });

  it('errors surface as stream errors', async () => {
    const stream = createEnrichStream({
      registry,
      format: 'csv',
      columns: ['ip'],
      strict: true,
    });
    await expect(
      pipeline(
        Readable.from([Buffer.from('ip\nbad\n')]),
        stream,
        new Writable({ write: (_c, _e, cb) => cb() }),
      ),
    ).rejects.toMatchObject({ code: 'ENRICH_ROW' });
  });
});

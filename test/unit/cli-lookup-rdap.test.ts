import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { memoryIo } from '../helpers/cli-io.js';
import { startRdapServer } from '../helpers/rdap-server.js';

const SAMPLE = fileURLToPath(
  new URL('../../fixtures/sample/data/', import.meta.url),
);

describe('rirmap lookup --rdap', () => {
  it('refuses RDAP under --offline and without a contact', async () => {
    let io = memoryIo();
    expect(
      await run(
        [
          'lookup',
          '--data',
          SAMPLE,
          '--rdap',
          'always',
          '--contact',
          'soc@example.org',
          '--offline',
          '1.0.17.22',
        ],
        io,
      ),
    ).toBe(1);
    expect(io.err()).toMatch(/--offline refuses/);
    io = memoryIo();
    expect(
      await run(
        ['lookup', '--data', SAMPLE, '--rdap', 'always', '1.0.17.22'],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toMatch(/contact/);
  });
});

describe('rirmap lookup --rdap against a loopback RDAP server', () => {
  it('adds RDAP fields, asks once per network, never for special-purpose space', async () => {
    const { readSharedResponse } = await import('../helpers/rdap-server.js');
    const server = await startRdapServer();
    try {
      // The real APNIC answer for 1.1.1.1 (network 1.1.1.0 - 1.1.1.255).
      server.addNetwork(readSharedResponse('apnic-1.1.1.1.json'));
      const io = memoryIo();
      const code = await run(
        [
          'lookup',
          '--data',
          SAMPLE,
          '--json',
          '--rdap',
          'always',
          '--rdap-server',
          `apnic=${server.url}`,
          '--contact',
          'soc@example.org',
          '1.1.1.1',
          '1.1.1.200',
          '10.0.0.1',
        ],
        io,
      );
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      const lines = io
        .out()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.query)).toEqual([
        '1.1.1.1',
        '1.1.1.200',
        '10.0.0.1',
      ]);
      // Values read by hand from apnic-1.1.1.1.json.
      expect(lines[0]).toMatchObject({
        rir: 'apnic',
        country: 'AU',
        rdap: {
          name: 'APNIC-LABS',
          handle: '1.1.1.0 - 1.1.1.255',
          org: 'APNIC Research and Development',
          abuseEmail: 'helpdesk@apnic.net',
          country: 'AU',
          start: '1.1.1.0',
          end: '1.1.1.255',
        },
      });
      expect(lines[1].rdap.name).toBe('APNIC-LABS');
      expect(lines[2]).toMatchObject({ found: false, special: 'private' });
      expect(server.requests.length).toBe(1);
      expect(server.requests[0]!.userAgent).toMatch(
        /^rirmap\/\S+ .*soc@example\.org/,
      );
    } finally {
      await server.close();
    }
  });
});

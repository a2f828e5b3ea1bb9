/** Option checking of createRdapResolver and the CLI flag translation. */

import { describe, expect, it } from 'vitest';
import type { ParsedCommandArgs } from '../../src/cli/command.js';
import { CliUsageError } from '../../src/cli/command.js';
import {
  RDAP_OPTIONS,
  rdapOptionsFromCli,
} from '../../src/rdap/rdap-cli-options.js';
import {
  DEFAULT_RDAP_LIMITS,
  resolveRdapLimits,
} from '../../src/rdap/rdap-limits.js';
import {
  createRdapResolver,
  type RdapResolverOptions,
} from '../../src/rdap/rdap-resolver.js';
import {
  buildUserAgent,
  RIRMAP_VERSION,
} from '../../src/rdap/rdap-user-agent.js';

function bad(options: unknown): () => unknown {
  return () => createRdapResolver(options as RdapResolverOptions);
}

describe('createRdapResolver options', () => {
  it('accepts no options', () => {
    expect(typeof createRdapResolver().resolve).toBe('function');
  });

  it.each([
    [
      { rdapServers: { arin: 'http://rdap.arin.net/registry/' } },
      TypeError,
      '`rdapServers.arin`',
    ],
    [
      { rdapServers: { nic: 'https://x.example/' } },
      TypeError,
      '`rdapServers.nic`',
    ],
    [{ rdapServers: { arin: 42 } }, TypeError, '`rdapServers.arin`'],
    [
      { limits: { lacnic: { requestsPerMinute: 11 } } },
      RangeError,
      '`limits.lacnic.requestsPerMinute`',
    ],
    [
      { limits: { lacnic: { requestsPerHour: 1001 } } },
      RangeError,
      '`limits.lacnic.requestsPerHour`',
    ],
    [
      { limits: { lacnic: { requestsPerHour: null } } },
      RangeError,
      '`limits.lacnic.requestsPerHour`',
    ],
    [{ limits: { arin: { burst: 6 } } }, RangeError, '`limits.arin.burst`'],
    [
      { limits: { arin: { maxInFlight: 3 } } },
      RangeError,
      '`limits.arin.maxInFlight`',
    ],
    [{ limits: { arin: { burst: 1.5 } } }, RangeError, '`limits.arin.burst`'],
    [
      { limits: { arin: { requestsPerMinute: 0 } } },
      RangeError,
      '`limits.arin.requestsPerMinute`',
    ],
    [{ limits: { arin: { speed: 1 } } }, TypeError, '`limits.arin.speed`'],
    [{ limits: { nic: {} } }, TypeError, '`limits.nic`'],
    [{ maxAttempts: 4 }, RangeError, '`maxAttempts`'],
    [{ maxAttempts: 1.5 }, TypeError, '`maxAttempts`'],
    [{ maxRedirects: 4 }, RangeError, '`maxRedirects`'],
    [{ timeoutMs: 0 }, RangeError, '`timeoutMs`'],
    [{ timeoutMs: 'fast' }, TypeError, '`timeoutMs`'],
    [{ maxResponseBytes: 10 }, RangeError, '`maxResponseBytes`'],
    [{ cachePolicy: 'never' }, TypeError, '`cachePolicy`'],
    [{ cacheFile: '' }, TypeError, '`cacheFile`'],
    [{ contact: 'ops (night)' }, TypeError, '`contact`'],
    [{ contact: 'two words' }, TypeError, '`contact`'],
    [{ fetch: 'no' }, TypeError, '`fetch`'],
    [{ clock: { now: () => 0 } }, TypeError, '`clock`'],
    [
      { allowExceedingPublishedLimits: 'yes' },
      TypeError,
      '`allowExceedingPublishedLimits`',
    ],
    [
      { allowedRedirectHosts: ['bad host'] },
      TypeError,
      '`allowedRedirectHosts`',
    ],
    [{ bootstrap: {} }, TypeError, '`bootstrap`'],
  ])('%j throws', (options, type, name) => {
    expect(bad(options)).toThrow(type);
    expect(bad(options)).toThrow(name);
  });

  it('lets configuration tighten, and exceed only with the explicit override', () => {
    expect(() =>
      createRdapResolver({
        limits: { lacnic: { requestsPerMinute: 5, burst: 1 } },
      }),
    ).not.toThrow();
    expect(() =>
      createRdapResolver({
        allowExceedingPublishedLimits: true,
        limits: {
          arin: { requestsPerMinute: 60_000, burst: 5000, maxInFlight: 64 },
        },
      }),
    ).not.toThrow();
  });

  it('merges limits over the defaults', () => {
    const l = resolveRdapLimits({ lacnic: { burst: 1 } }, false);
    expect(l.lacnic).toEqual({
      requestsPerMinute: 10,
      requestsPerHour: 1000,
      burst: 1,
      maxInFlight: 1,
    });
    expect(l.arin).toBe(DEFAULT_RDAP_LIMITS.arin);
  });
});

describe('User-Agent', () => {
  it('names rirmap, its version and the contact', () => {
    expect(RIRMAP_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(buildUserAgent('ops@example.org')).toBe(
      `rirmap/${RIRMAP_VERSION} (+ops@example.org)`,
    );
    expect(buildUserAgent(null)).toBe(`rirmap/${RIRMAP_VERSION}`);
  });
});

describe('rdapOptionsFromCli', () => {
  const io = { env: {}, cwd: '/home/op/run' } as never;
  function args(values: Record<string, string | string[]>): ParsedCommandArgs {
    return { values, positionals: [] };
  }

  it('declares the four flags', () => {
    expect(RDAP_OPTIONS.map((o) => o.name)).toEqual([
      'rdap',
      'rdap-server',
      'rdap-cache',
      'contact',
    ]);
  });

  it('defaults to off and needs nothing then', () => {
    expect(rdapOptionsFromCli(args({}), io)).toEqual({
      mode: 'off',
      options: { rdapServers: {} },
    });
  });

  it('reads every flag', () => {
    const s = rdapOptionsFromCli(
      args({
        rdap: 'always',
        'rdap-server': [
          'arin=http://127.0.0.1:8080/rdap',
          'ripe=https://rdap.example/',
        ],
        'rdap-cache': 'cache/rdap.jsonl',
        contact: 'ops@example.org',
      }),
      io,
    );
    expect(s).toEqual({
      mode: 'always',
      options: {
        rdapServers: {
          arin: 'http://127.0.0.1:8080/rdap/',
          ripencc: 'https://rdap.example/',
        },
        contact: 'ops@example.org',
        cacheFile: '/home/op/run/cache/rdap.jsonl',
      },
    });
  });

  it('takes the contact from RIRMAP_CONTACT', () => {
    const s = rdapOptionsFromCli(args({ rdap: 'fallback' }), {
      env: { RIRMAP_CONTACT: 'noc@example.net' },
      cwd: '/',
    } as never);
    expect(s.options.contact).toBe('noc@example.net');
  });

  it.each([
    [
      { rdap: 'sometimes', contact: 'a@b.c' },
      /--rdap must be one of off, fallback, always/,
    ],
    [{ rdap: 'fallback' }, /needs an operator contact/],
    [{ 'rdap-server': ['arin'] }, /--rdap-server must be RIR=URL/],
    [
      { 'rdap-server': ['nic=https://x.example/'] },
      /--rdap-server must be RIR=URL/,
    ],
    [{ 'rdap-server': ['arin=http://rdap.arin.net/'] }, /must be an https URL/],
    [{ contact: 'a b' }, /--contact must be/],
  ])('%j is a usage error', (values, message) => {
    expect(() => rdapOptionsFromCli(args(values), io)).toThrow(CliUsageError);
    expect(() => rdapOptionsFromCli(args(values), io)).toThrow(message);
  });
});

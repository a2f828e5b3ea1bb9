/**
 * The RDAP flags shared by `rirmap lookup` and `rirmap enrich`, and their
 * translation into resolver options. A command adds `...RDAP_OPTIONS` to its
 * option table and calls {@link rdapOptionsFromCli}.
 */

import { isAbsolute, resolve } from 'node:path';
import {
  CliUsageError,
  stringListOption,
  stringOption,
  type CliIo,
  type OptionSpec,
  type ParsedCommandArgs,
} from '../cli/command.js';
import { RDAP_MODES } from './lookup-with-rdap.js';
import { parseRdapBaseUrl, RDAP_RIRS, type RdapRir } from './rdap-hosts.js';
import type { RdapResolverOptions } from './rdap-resolver.js';
import type { RdapMode } from './rdap-types.js';
import { checkContact } from './rdap-user-agent.js';

/** `--rdap`, `--rdap-server`, `--rdap-cache`, `--contact`. */
export const RDAP_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'rdap',
    type: 'string',
    arg: 'MODE',
    description:
      'Ask RDAP: off; fallback (only addresses the offline data does not answer); always (every found address, once per network)',
    default: 'off',
  },
  {
    name: 'rdap-server',
    type: 'string',
    multiple: true,
    arg: 'RIR=URL',
    description:
      'RDAP base URL for a registry (afrinic, apnic, arin, lacnic, ripencc); https, or http to a loopback address',
  },
  {
    name: 'rdap-cache',
    type: 'string',
    arg: 'FILE',
    description:
      'Keep RDAP answers in FILE (JSON Lines) so a later run asks nothing twice',
  },
  {
    name: 'contact',
    type: 'string',
    arg: 'EMAIL',
    description:
      'Operator contact sent in the User-Agent to RDAP servers (required with --rdap). Default: $RIRMAP_CONTACT',
  },
];

/** What the RDAP flags ask for. */
export interface RdapCliSettings {
  readonly mode: RdapMode;
  /** Options for `createRdapResolver` / `openRdapResolver` (unused when mode is `off`). */
  readonly options: RdapResolverOptions;
}

const RIR_ALIASES: Readonly<Record<string, RdapRir>> = {
  ripe: 'ripencc',
  'ripe-ncc': 'ripencc',
};

/**
 * Reads the RDAP flags.
 * @throws {CliUsageError} for an unknown mode, a malformed `--rdap-server`,
 *   or `--rdap fallback|always` without `--contact` / `RIRMAP_CONTACT`.
 */
export function rdapOptionsFromCli(
  args: ParsedCommandArgs,
  io: CliIo,
): RdapCliSettings {
  const modeText = stringOption(args, 'rdap') ?? 'off';
  if (!(RDAP_MODES as readonly string[]).includes(modeText))
    throw new CliUsageError(
      `--rdap must be one of ${RDAP_MODES.join(', ')}, got ${JSON.stringify(modeText)}`,
    );
  const mode = modeText as RdapMode;
  const rdapServers: Partial<Record<RdapRir, string>> = {};
  for (const spec of stringListOption(args, 'rdap-server')) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq).trim().toLowerCase() : '';
    const rir = (RDAP_RIRS as readonly string[]).includes(name)
      ? (name as RdapRir)
      : RIR_ALIASES[name];
    if (rir === undefined)
      throw new CliUsageError(
        `--rdap-server must be RIR=URL with RIR one of ${RDAP_RIRS.join(', ')}, got ${JSON.stringify(spec)}`,
      );
    try {
      rdapServers[rir] = parseRdapBaseUrl(
        spec.slice(eq + 1).trim(),
        `--rdap-server ${rir}`,
      );
    } catch (error) {
      throw new CliUsageError((error as Error).message.replace(/`/g, ''));
    }
  }
  const contactText = stringOption(args, 'contact') ?? io.env['RIRMAP_CONTACT'];
  let contact: string | undefined;
  if (contactText !== undefined && contactText.trim() !== '') {
    try {
      contact = checkContact(contactText, '--contact');
    } catch (error) {
      throw new CliUsageError((error as Error).message.replace(/`/g, ''));
    }
  }
  if (mode !== 'off' && contact === undefined)
    throw new CliUsageError(
      `--rdap ${mode} needs an operator contact for the registries: pass --contact EMAIL or set RIRMAP_CONTACT`,
    );
  const cache = stringOption(args, 'rdap-cache');
  if (cache !== undefined && cache.trim() === '')
    throw new CliUsageError('--rdap-cache needs a file name');
  const options: RdapResolverOptions = {
    rdapServers,
    ...(contact === undefined ? {} : { contact }),
    ...(cache === undefined
      ? {}
      : { cacheFile: isAbsolute(cache) ? cache : resolve(io.cwd, cache) }),
  };
  return { mode, options };
}
